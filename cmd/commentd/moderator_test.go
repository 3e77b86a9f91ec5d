package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestModeratorCommand(t *testing.T) {
	env := testEnv(t, nil)
	ctx := context.Background()
	cli := func(stdin string, args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(ctx, append([]string{"moderator"}, args...), getenvFrom(env), strings.NewReader(stdin), &out, &errb)
		return out.String(), err
	}
	steps := []struct {
		name  string
		stdin string
		args  []string
		want  string // in stdout, or in the error when fail
		fail  bool
	}{
		{"add admin", "correct horse battery\n", []string{"add", "--name", "ann", "--role", "admin"}, "created ann (admin)", false},
		{"add moderator, no newline", "another long password", []string{"add", "--name", "bob"}, "created bob (moderator)", false},
		{"duplicate", "correct horse battery\n", []string{"add", "--name", "ANN", "--role", "admin"}, "exists already", true},
		{"short password", "short\n", []string{"add", "--name", "cy"}, "too_short", true},
		{"no password", "", []string{"add", "--name", "dee"}, "no password", true},
		{"bad role", "correct horse battery\n", []string{"add", "--name", "eve", "--role", "root"}, "role: invalid", true},
		{"missing name", "", []string{"token"}, "--name is required", true},
		{"list", "", []string{"list"}, "bob", false},
		{"token", "", []string{"token", "--name", "ann"}, "cmdt_", false},
		{"unknown account", "", []string{"token", "--name", "zed"}, "no such account", true},
		{"passwd", "a brand new password\n", []string{"passwd", "--name", "bob"}, "password of bob changed", false},
		{"delete", "", []string{"delete", "--name", "bob"}, "deleted bob", false},
		{"unknown subcommand", "", []string{"frobnicate"}, "unknown moderator command", true},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			out, err := cli(s.stdin, s.args...)
			if s.fail {
				if err == nil || !strings.Contains(err.Error(), s.want) {
					t.Fatalf("err %v, want %q", err, s.want)
				}
				return
			}
			if err != nil || !strings.Contains(out, s.want) {
				t.Fatalf("out %q err %v, want %q", out, err, s.want)
			}
		})
	}
	t.Run("the token works on the API", func(t *testing.T) {
		tok, err := cli("", "token", "--name", "ann", "--label", "script")
		if err != nil {
			t.Fatal(err)
		}
		ta := startApp(t, env)
		if r := ta.modJSON(t, strings.TrimSpace(tok), "GET", "/moderators", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"ann"`) {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
}
