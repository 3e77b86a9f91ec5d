package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// The floors: what bare Gin does for the same requests.
const (
	floorDecode = "decode" // (a): decode the JSON body, answer 201
	floorList   = "list"   // (b): write a pre-built body of the real list's size
)

// floorCmd serves one floor on 127.0.0.1 until ctx ends, printing its address first.
func floorCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	kind := fs.String("kind", floorDecode, "decode or list")
	bodyFile := fs.String("body-file", "", "list: the body to serve")
	if err := fs.Parse(args); err != nil {
		return err
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	switch *kind {
	case floorDecode:
		decode := func(c *gin.Context) {
			body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, 64<<10))
			if err == nil && len(body) > 0 {
				var m map[string]any
				err = json.Unmarshal(body, &m)
			}
			if err != nil {
				c.Status(http.StatusBadRequest)
				return
			}
			c.Status(http.StatusCreated)
		}
		e.POST("/api/v1/comments", decode)
		e.GET("/api/v1/comments", decode) // the same floor for the 304 load
	case floorList:
		body, err := os.ReadFile(*bodyFile)
		if err != nil {
			return fmt.Errorf("floor: %w", err)
		}
		e.GET("/api/v1/comments", func(c *gin.Context) {
			c.Data(http.StatusOK, "application/json; charset=utf-8", body)
		})
	default:
		return fmt.Errorf("floor: unknown kind %q", *kind)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "listening %s\n", ln.Addr())
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// floorProc is a floor running as a child process, so that it has its own
// runtime and heap, as the real server does.
type floorProc struct {
	cmd  *exec.Cmd
	addr string
}

// startFloor runs this binary's floor command and waits for its address.
func startFloor(ctx context.Context, kind, bodyFile string) (*floorProc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "floor", "-kind", kind, "-body-file", bodyFile)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("floor %s did not start: %q %v", kind, line, err)
	}
	return &floorProc{cmd: cmd, addr: "http://" + addr}, nil
}

// stop ends the floor process and waits for it.
func (f *floorProc) stop() {
	f.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { f.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		f.cmd.Process.Kill()
		<-done
	}
}
