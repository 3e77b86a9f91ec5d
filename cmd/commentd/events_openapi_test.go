package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/commentd/commentd/api"
)

// TestEventStreamMatchesOpenAPI opens the live event stream of a running app,
// makes every kind of event happen, and checks the answer against
// api/openapi.yaml: status, content type and headers as for any route, and
// the data of each event against the schema the route's x-event-data names.
func TestEventStreamMatchesOpenAPI(t *testing.T) {
	const path = "/api/v1/moderation/events"
	ta := startApp(t, testEnv(t, mechanical))
	c := newContract(t, ta)
	schema := eventSchema(t, path)

	c.check(t, "no token 401", exchange{method: "GET", path: path, want: 401, offSpec: true})
	c.check(t, "wrong token 401", exchange{method: "GET", path: path, headers: []string{"Authorization", "Bearer nope"}, want: 401})

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req := c.request(t, exchange{method: "GET", path: path, headers: []string{"Authorization", "Bearer " + testToken}}, nil)
	if ok, errs := c.v.ValidateHttpRequestSync(req); !ok {
		t.Errorf("request GET %s does not match api/openapi.yaml:%s", path, specErrors(errs))
	}
	resp, err := ta.srv.Client().Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: status %d, want 200: %s", path, resp.StatusCode, body)
	}
	// The handler subscribes before it answers, so every event from now on is in the stream.
	stream := newSSEReader(resp.Body)

	held := idOf(t, ta.postJSON(t, comment("2026/live", "text", "Best casino bonus here")))
	for _, x := range []struct {
		method, path string
		body         any
		want         int
	}{
		{"POST", fmt.Sprintf("/comments/%d/approve", held), nil, 200},
		{"POST", "/words", map[string]string{"kind": "held", "word": "lottery"}, 201},
		{"DELETE", fmt.Sprintf("/comments/%d", held), nil, 204},
	} {
		r := ta.do(t, x.method, "/api/v1/moderation"+x.path, "application/json", encode(x.body), "Authorization", "Bearer "+testToken)
		if r.Status != x.want {
			t.Fatalf("%s %s: status %d, want %d: %s", x.method, x.path, r.Status, x.want, r.Body)
		}
	}

	unseen := map[string]bool{"comment.created": true, "comment.decided": true, "policy.changed": true, "comment.deleted": true}
	validate := schema_validation.NewSchemaValidator()
	for len(unseen) > 0 {
		e, err := stream.next()
		if err != nil {
			t.Fatalf("reading the stream, still waiting for %v: %v", unseen, err)
		}
		if ok, errs := validate.ValidateSchemaBytes(schema, e.data); !ok {
			t.Errorf("event %q: data does not match api/openapi.yaml:%s\ndata: %s", e.name, specErrors(errs), e.data)
		}
		var data struct{ Type string }
		if err := json.Unmarshal(e.data, &data); err != nil || data.Type != e.name {
			t.Errorf("event %q carries data of type %q (%v): %s", e.name, data.Type, err, e.data)
		}
		delete(unseen, e.name)
	}

	read := &http.Response{StatusCode: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(stream.raw.Bytes())), Request: req}
	if ok, errs := c.v.ValidateHttpResponse(req, read); !ok {
		t.Errorf("response 200 to GET %s does not match api/openapi.yaml:%s\nstream: %.600s", path, specErrors(errs), stream.raw.Bytes())
	}
}

// eventSchema returns the schema api/openapi.yaml names, in the x-event-data
// of the text/event-stream answer of GET path, for the data of each event.
func eventSchema(t *testing.T, path string) *base.Schema {
	t.Helper()
	doc, err := libopenapi.NewDocument([]byte(api.Spec))
	if err != nil {
		t.Fatal(err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("api/openapi.yaml: %v", err)
	}
	item := model.Model.Paths.PathItems.GetOrZero(path)
	if item == nil || item.Get == nil || item.Get.Responses == nil {
		t.Fatalf("api/openapi.yaml: no GET %s with responses", path)
	}
	ok := item.Get.Responses.Codes.GetOrZero("200")
	if ok == nil {
		t.Fatalf("api/openapi.yaml: GET %s has no 200 answer", path)
	}
	media := ok.Content.GetOrZero("text/event-stream")
	if media == nil || media.Extensions.GetOrZero("x-event-data") == nil {
		t.Fatalf("api/openapi.yaml: the 200 answer of GET %s has no text/event-stream with x-event-data", path)
	}
	var ref struct {
		Ref string `yaml:"$ref"`
	}
	if err := media.Extensions.GetOrZero("x-event-data").Decode(&ref); err != nil {
		t.Fatalf("api/openapi.yaml: x-event-data of GET %s: %v", path, err)
	}
	name, found := strings.CutPrefix(ref.Ref, "#/components/schemas/")
	proxy := model.Model.Components.Schemas.GetOrZero(name)
	if !found || proxy == nil {
		t.Fatalf("api/openapi.yaml: x-event-data of GET %s is %q, not a $ref to a schema under components/schemas", path, ref.Ref)
	}
	schema, err := proxy.BuildSchema()
	if err != nil {
		t.Fatalf("api/openapi.yaml: schema %s: %v", name, err)
	}
	return schema
}

// sseEvent is one event of a text/event-stream: its type and its data.
type sseEvent struct {
	name string
	data []byte
}

// sseReader reads the events of a stream and keeps every byte it reads.
type sseReader struct {
	r   *bufio.Reader
	raw bytes.Buffer
}

func newSSEReader(body io.Reader) *sseReader {
	s := &sseReader{}
	s.r = bufio.NewReader(io.TeeReader(body, &s.raw))
	return s
}

// next returns the next event, passing over comment lines and the frames that
// carry no data, such as the opening retry.
func (s *sseReader) next() (sseEvent, error) {
	var (
		e    sseEvent
		data [][]byte
	)
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return sseEvent{}, err
		}
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		switch field, value, _ := strings.Cut(line, ":"); {
		case line == "" && data != nil:
			e.data = bytes.Join(data, []byte("\n"))
			return e, nil
		case line == "":
			e = sseEvent{}
		case field == "": // a comment
		case field == "event":
			e.name = strings.TrimPrefix(value, " ")
		case field == "data":
			data = append(data, []byte(strings.TrimPrefix(value, " ")))
		}
	}
}
