package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"mime"
	"net"
	"net/http"
	"os"
	"time"
)

var serveCmd = &command{
	name:    "serve",
	usage:   "[-addr HOST:PORT] DIR",
	summary: "serve a folder over HTTP, for pages that load exported .wasm",
	help: `
Serve serves the files of DIR over HTTP (default address 127.0.0.1:8080),
with the content types browsers need to run WebAssembly (application/wasm)
and ES modules (text/javascript), until interrupted. Any static server
does the same; this one needs nothing installed.

	-addr HOST:PORT  where to listen (port 0: any free port, printed)

Example:

	rose serve examples/web
`,
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) int {
		addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT`")
		return func(ctx context.Context, e *env, args []string) int {
			if len(args) != 1 {
				return usage(e, "serve", "expects exactly one DIR")
			}
			if st, err := os.Stat(args[0]); err != nil || !st.IsDir() {
				fmt.Fprintf(e.stderr, "rose serve: %s is not a folder\n", args[0])
				return exitUser
			}
			_ = mime.AddExtensionType(".wasm", "application/wasm")
			_ = mime.AddExtensionType(".mjs", "text/javascript")
			_ = mime.AddExtensionType(".js", "text/javascript")
			ln, err := net.Listen("tcp", *addr)
			if err != nil {
				fmt.Fprintf(e.stderr, "rose serve: %v\n", err)
				return exitUser
			}
			srv := &http.Server{Handler: http.FileServer(http.Dir(args[0])), ReadHeaderTimeout: 10 * time.Second}
			fmt.Fprintf(e.stdout, "serving %s on http://%s/\n", args[0], ln.Addr())
			go func() {
				<-ctx.Done()
				sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				_ = srv.Shutdown(sctx)
			}()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				fmt.Fprintf(e.stderr, "rose serve: %v\n", err)
				return exitUser
			}
			return exitOK
		}
	},
}
