package lsp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
)

// maxMessage bounds one incoming message (a 5 MB document arrives in one).
const maxMessage = 256 << 20

// maxQueued bounds the messages waiting to be written. A client that stops
// reading must not make the server hang or grow without bound: past this,
// new notifications are dropped (the next publication supersedes them
// anyway) and responses wait for room.
const maxQueued = 4096

// stream is the server's jsonrpc2.Stream: Content-Length framing as
// jsonrpc2.NewStream does, but a message that is not valid JSON-RPC is
// answered with a parse or invalid-request error and skipped instead of
// closing the connection, and writes go through a queue drained by one
// goroutine, so no handler blocks on a slow client.
type stream struct {
	in  *bufio.Reader
	out io.Writer
	c   io.Closer

	queue  chan []byte
	done   chan struct{} // closed by Close: stop accepting messages
	wrote  chan struct{} // closed when the writer has finished
	closed sync.Once
	logf   func(format string, args ...any)
}

func newStream(r io.Reader, w io.Writer, c io.Closer, logf func(string, ...any)) *stream {
	s := &stream{in: bufio.NewReaderSize(r, 64<<10), out: w, c: c,
		queue: make(chan []byte, maxQueued), done: make(chan struct{}), wrote: make(chan struct{}), logf: logf}
	go s.writer()
	return s
}

// writer writes queued messages in order; after Close it writes what is
// still queued (the reply to shutdown, say) and stops.
func (s *stream) writer() {
	defer close(s.wrote)
	write := func(b []byte) bool {
		if _, err := s.out.Write(b); err != nil {
			s.logf("write: %v", err)
			return false
		}
		return true
	}
	for {
		select {
		case b := <-s.queue:
			if !write(b) {
				return
			}
		case <-s.done:
			for {
				select {
				case b := <-s.queue:
					if !write(b) {
						return
					}
				default:
					return
				}
			}
		}
	}
}

// Read returns the next well-formed message. Malformed bodies are
// answered and skipped; only a broken frame (bad header, end of input)
// ends the stream.
func (s *stream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		data, n, err := s.frame()
		if err != nil {
			return nil, n, err
		}
		msg, err := jsonrpc2.DecodeMessage(data)
		if err == nil {
			return msg, n, nil
		}
		s.reject(data, err)
	}
}

// frame reads one Content-Length framed body.
func (s *stream) frame() ([]byte, int64, error) {
	var total, length int64 = 0, -1
	for {
		line, err := s.in.ReadString('\n')
		total += int64(len(line))
		if err != nil {
			if err == io.EOF && total == 0 {
				return nil, total, io.EOF
			}
			return nil, total, fmt.Errorf("reading header: %w", err)
		}
		line = strings.TrimSpace(line)
		if line == "" {
			if length < 0 {
				continue // stray blank line between messages
			}
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, total, fmt.Errorf("invalid header line %q", line)
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			length, err = strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || length < 0 || length > maxMessage {
				return nil, total, fmt.Errorf("invalid Content-Length %q", value)
			}
		}
	}
	data := make([]byte, length)
	if _, err := io.ReadFull(s.in, data); err != nil {
		return nil, total, fmt.Errorf("reading body: %w", err)
	}
	return data, total + length, nil
}

// reject answers a body that is not a JSON-RPC message: a parse error for
// invalid JSON, an invalid-request error (with its id when it has one)
// otherwise.
func (s *stream) reject(data []byte, err error) {
	code, msg := jsonrpc2.ParseError, "parse error: "+err.Error()
	var probe struct {
		ID json.RawMessage `json:"id"`
	}
	id := json.RawMessage("null")
	if json.Unmarshal(data, &probe) == nil {
		code, msg = jsonrpc2.InvalidRequest, "invalid request: "+err.Error()
		if len(probe.ID) > 0 {
			id = probe.ID
		}
	}
	s.logf("rejected a message: %s", msg)
	b, _ := json.Marshal(struct {
		Version string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   jsonrpc2.Error  `json:"error"`
	}{"2.0", id, jsonrpc2.Error{Code: code, Message: msg}})
	s.enqueue(b, false)
}

// Write queues msg. Notifications are dropped when the queue is full;
// responses wait for room until ctx is done.
func (s *stream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	data, err := json.Marshal(msg)
	if err != nil {
		return 0, fmt.Errorf("marshaling message: %w", err)
	}
	_, notify := msg.(*jsonrpc2.Notification)
	if !s.enqueueCtx(ctx, data, !notify) {
		return 0, errDropped
	}
	return int64(len(data)), nil
}

var errDropped = errors.New("message dropped: the client is not reading")

func (s *stream) enqueue(body []byte, wait bool) bool {
	return s.enqueueCtx(context.Background(), body, wait)
}

func (s *stream) enqueueCtx(ctx context.Context, body []byte, wait bool) bool {
	b := make([]byte, 0, len(body)+32)
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n\r\n"...)
	b = append(b, body...)
	select {
	case s.queue <- b:
		return true
	case <-s.done:
		return false
	default:
	}
	if !wait {
		return false
	}
	select {
	case s.queue <- b:
		return true
	case <-s.done:
		return false
	case <-ctx.Done():
		return false
	}
}

// flushTimeout bounds how long Close waits for queued messages to be
// written to a client that may not be reading.
const flushTimeout = 2 * time.Second

// Close stops accepting messages, lets the writer flush what is queued
// (for at most flushTimeout) and closes the underlying connection.
func (s *stream) Close() error {
	var err error
	s.closed.Do(func() {
		close(s.done)
		select {
		case <-s.wrote:
		case <-time.After(flushTimeout):
		}
		if s.c != nil {
			err = s.c.Close()
		}
	})
	return err
}
