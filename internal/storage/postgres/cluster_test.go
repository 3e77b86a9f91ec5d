package postgres_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/commentd/commentd/internal/storage/postgres"
	"github.com/commentd/commentd/models"
)

// TestMigrateConcurrently starts several stores on one empty schema at once,
// as instances behind a load balancer do: all open, and each migration is
// applied once.
func TestMigrateConcurrently(t *testing.T) {
	url := testDB.NewSchema(t)
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := postgres.Open(t.Context(), url)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("store %d: %v", i, err)
		}
	}
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, _ := conn.Query(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil || len(versions) == 0 || versions[0] != 1 {
		t.Fatalf("schema_migrations = %v, %v", versions, err)
	}
	for i := 1; i < len(versions); i++ {
		if versions[i] == versions[i-1] {
			t.Errorf("version %d recorded twice", versions[i])
		}
	}
	// A database a newer binary migrated is refused.
	if _, err := conn.Exec(t.Context(), `INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(context.Background(), `DELETE FROM schema_migrations WHERE version = 9999`) // the schema is reused
	if s, err := postgres.Open(t.Context(), url); err == nil {
		s.Close()
		t.Fatal("Open accepted a schema migrated by a newer binary")
	}
}

// TestTrainingEventsVisibleInIDOrder appends events from many connections,
// one event per transaction and in decisions, while a reader replays the log
// by id the way spam.Filter.Sync does. Were ids visible out of order, the
// reader would step past an id that committed later and never see it.
func TestTrainingEventsVisibleInIDOrder(t *testing.T) {
	s := openFresh(t)
	defer s.Close()
	ctx := t.Context()
	const writers, each = 8, 40
	var comments []int64
	for range writers * each / 2 {
		c := models.Comment{Post: "p", Author: "a", Email: "a@example.org", Text: "t", Status: models.StatusPending}
		if err := s.CreateComment(ctx, &c); err != nil {
			t.Fatal(err)
		}
		comments = append(comments, c.ID)
	}
	done := make(chan struct{})
	var (
		seen   []int64
		reader sync.WaitGroup
	)
	reader.Go(func() {
		var last int64
		for {
			select {
			case <-done:
				evs, err := s.TrainingEventsAfter(ctx, last, 100_000)
				if err != nil {
					t.Error(err)
				}
				for _, e := range evs {
					seen = append(seen, e.ID)
				}
				return
			default:
			}
			evs, err := s.TrainingEventsAfter(ctx, last, 50)
			if err != nil {
				t.Error(err)
				return
			}
			for _, e := range evs {
				seen, last = append(seen, e.ID), e.ID
			}
		}
	})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				ev := models.TrainingEvent{Class: models.ClassSpam, Delta: 1, Tokens: []string{fmt.Sprint(w, "-", i)}}
				var err error
				if i%2 == 0 {
					_, err = s.AppendTrainingEvents(ctx, []models.TrainingEvent{ev})
				} else {
					_, err = s.Decide(ctx, models.Decision{CommentID: comments[w*each/2+i/2], From: models.StatusPending,
						To: models.StatusSpam, TrainedTo: models.ClassSpam, Events: []models.TrainingEvent{ev, ev}, At: time.Now()})
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	reader.Wait()
	all, err := s.TrainingEventsAfter(ctx, 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]int64, len(all))
	for i, e := range all {
		want[i] = e.ID
	}
	if len(want) != writers*each*3/2 {
		t.Fatalf("%d events stored, want %d", len(want), writers*each*3/2)
	}
	if !slices.Equal(seen, want) {
		missing := 0
		for _, id := range want {
			if !slices.Contains(seen, id) {
				missing++
			}
		}
		t.Fatalf("the replay saw %d events of %d; %d skipped", len(seen), len(want), missing)
	}
}

// TestCreateUniqueAcrossInstances sends copies of one comment to two stores on
// one database at once, as two instances behind a load balancer receive a
// double-clicked form: each instance writes its own groups, so only the
// database can keep the second copy out. Exactly one is stored, over several
// rounds, and different comments sent alongside are all stored; also where the
// role's default isolation is REPEATABLE READ, under which a check would see
// the database as it was before it waited.
func TestCreateUniqueAcrossInstances(t *testing.T) {
	for _, isolation := range []string{"", "repeatable read"} {
		t.Run("default isolation "+cmp.Or(isolation, "read committed"), func(t *testing.T) {
			url := testDB.NewSchema(t)
			if isolation != "" { // pgx reads %20, not +, as a space
				url += "&default_transaction_isolation=" + strings.ReplaceAll(isolation, " ", "%20")
			}
			var stores [2]*postgres.Store
			for i := range stores {
				s, err := postgres.Open(t.Context(), url)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				stores[i] = s
			}
			createCopies(t, stores)
		})
	}
}

// createCopies runs the rounds of TestCreateUniqueAcrossInstances.
func createCopies(t *testing.T, stores [2]*postgres.Store) {
	ctx := t.Context()
	const rounds, copies = 20, 8
	for r := range rounds {
		post := fmt.Sprint("double-click-", r)
		errs := make([]error, 2*copies)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() {
				c := models.Comment{Post: post, Author: "Ada", Email: "Ada@example.org", Text: "the same words",
					Status: models.StatusApproved, CreatedAt: time.Now()}
				if i%4 == 3 {
					c.Text = fmt.Sprint("other words ", i)
				}
				errs[i] = stores[i%2].CreateCommentUnique(ctx, &c, time.Now().Add(-time.Minute))
			})
		}
		wg.Wait()
		stored := 0
		for i, err := range errs {
			switch {
			case i%4 == 3 && err != nil:
				t.Errorf("round %d: other comment %d: %v", r, i, err)
			case i%4 != 3 && err == nil:
				stored++
			case i%4 != 3 && !errors.Is(err, models.ErrDuplicate):
				t.Errorf("round %d: copy %d: %v, want ErrDuplicate", r, i, err)
			}
		}
		if stored != 1 {
			t.Errorf("round %d: %d copies stored across two instances, want 1", r, stored)
		}
	}
}
