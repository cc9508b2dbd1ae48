// Command oslayer-ferretdb runs FerretDB (SQLite handler) as the bot's embedded
// MongoDB wire server, or on PostgreSQL (-postgresql-url) for the replica tests. It exists because `go install` of FerretDB's own command
// panics at start without the build-time version.txt; the embeddable package does not.
//
// It prints one JSON line {"uri": "..."} once it accepts connections, and exits when
// its standard input closes, so it never outlives the process that started it.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free port)")
	dataDir := flag.String("data", "", "directory for the SQLite databases")
	postgresqlURL := flag.String("postgresql-url", "", "serve from this PostgreSQL database instead of SQLite (a store several bots can share)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	watchStdin := flag.Bool("exit-on-stdin-close", true, "exit when standard input reaches EOF")
	flag.Parse()

	config := ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: *listen}}
	switch {
	case *postgresqlURL != "":
		config.Handler = "postgresql"
		config.PostgreSQLURL = *postgresqlURL
	case *dataDir != "":
		abs, err := filepath.Abs(*dataDir)
		if err != nil {
			fail(err.Error())
		}
		if err := os.MkdirAll(abs, 0o700); err != nil {
			fail(err.Error())
		}
		config.Handler = "sqlite"
		config.SQLiteURL = "file:" + abs + "/"
	default:
		fail("-data or -postgresql-url is required")
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("bad -log-level: " + err.Error())
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	config.Logger = logger
	f, err := ferretdb.New(&config)
	if err != nil {
		fail(err.Error())
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	done := make(chan struct{})
	go func() {
		_ = f.Run(ctx)
		close(done)
	}()

	line, _ := json.Marshal(map[string]string{"uri": f.MongoDBURI()})
	fmt.Println(string(line))

	<-done
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "oslayer-ferretdb:", msg)
	os.Exit(2)
}
