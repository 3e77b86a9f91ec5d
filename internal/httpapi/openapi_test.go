package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"gopkg.in/yaml.v3"

	"github.com/commentd/commentd/api"
	"github.com/commentd/commentd/internal/httpapi"
)

// documented reads the METHOD path pairs api/openapi.yaml describes: the
// operations under paths and the browser routes under x-html-routes.
func documented(t *testing.T) map[string]bool {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
		HTML  []struct {
			Method string `yaml:"method"`
			Path   string `yaml:"path"`
		} `yaml:"x-html-routes"`
	}
	if err := yaml.Unmarshal([]byte(api.Spec), &doc); err != nil {
		t.Fatalf("api/openapi.yaml: %v", err)
	}
	out := map[string]bool{}
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				out[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	for _, r := range doc.HTML {
		out[strings.ToUpper(r.Method)+" "+r.Path] = true
	}
	return out
}

// everyRouteOptions are valid options with every switch on, so that routes
// registered only when an option is on (such as /demo) are checked too.
func everyRouteOptions() httpapi.Options {
	o := httpapi.Options{HoneypotField: "fax", MaxBodyBytes: 64 << 10, SessionMax: time.Hour,
		AllowedOrigins: []string{"https://blog.example.org"}}
	v := reflect.ValueOf(&o).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Bool {
			f.SetBool(true)
		}
	}
	return o
}

// ginParam matches Gin's :name and *name path segments.
var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// TestEveryRouteIsInOpenAPI keeps api/openapi.yaml and routes.go in step, both ways.
func TestEveryRouteIsInOpenAPI(t *testing.T) {
	e, err := httpapi.New(httpapi.Deps{
		Logger:         slog.New(slog.DiscardHandler),
		Options:        everyRouteOptions(),
		MetricsHandler: http.NotFoundHandler(), // register /metrics as on the main listener
	})
	if err != nil {
		t.Fatal(err)
	}
	spec := documented(t)
	registered := map[string]bool{}
	var missing []string
	for _, r := range e.Routes() {
		key := r.Method + " " + ginParam.ReplaceAllString(r.Path, "{$1}")
		registered[key] = true
		if !spec[key] {
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	for _, key := range missing {
		t.Errorf("route %s is registered (internal/httpapi/routes.go) but api/openapi.yaml does not describe it: "+
			"add it under paths (JSON: parameters, request body, every response and its schema) or, for an HTML page, "+
			"form or static asset, to x-html-routes; then check a real response in cmd/commentd/openapi_test.go", key)
	}
	var stale []string
	for key := range spec {
		if !registered[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	for _, key := range stale {
		t.Errorf("api/openapi.yaml describes %s but no such route is registered: remove it or fix its path", key)
	}
}

// TestOpenAPIDocumentIsValid checks api/openapi.yaml against the OpenAPI 3.1 schema.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc, err := libopenapi.NewDocument([]byte(api.Spec))
	if err != nil {
		t.Fatal(err)
	}
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1") {
		t.Fatalf("openapi: %s, want 3.1.x", v)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("api/openapi.yaml does not build: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("api/openapi.yaml: %s: %s", e.Message, e.Reason)
			for _, f := range e.SchemaValidationErrors {
				t.Errorf("  %s (line %d)", f.Reason, f.Line)
			}
		}
	}
}

// TestServesOpenAPI serves the embedded document as YAML.
func TestServesOpenAPI(t *testing.T) {
	e, err := httpapi.New(httpapi.Deps{Logger: slog.New(slog.DiscardHandler), Options: everyRouteOptions()})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.yaml", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/yaml") || string(body) != api.Spec {
		t.Fatalf("GET /openapi.yaml: %d %s, %d bytes", rec.Code, rec.Header().Get("Content-Type"), len(body))
	}
}
