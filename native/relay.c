// The byte relay: one native thread that moves keys from attached clients'
// terminals to the PTYs and PTY output back to them, as tmux's server loop
// does, without passing through V8. JavaScript gets a copy of every output
// chunk (for the screen mirror and the recorder) and every key chunk that may
// hold one of trail's own keys (detach, prefix), and stays in charge: it binds
// a client to a PTY, feeds it the snapshot, and only then lets the relay write
// the live stream to it (clientGoLive), so nothing is lost or doubled between.
//
// Why native: measured in session 3, the daemon's own per-key work in
// JavaScript is 10-40 us, but every new client brings new object shapes to the
// stream code, V8 deoptimizes and recompiles it, and the echo waits for a CPU
// behind V8's helper threads (p99 2.3 ms against tmux's 0.5-1 ms).
//
// All state sits behind one mutex; the thread holds it while it reads and
// writes (non-blocking fds, so briefly) and never while it polls. Calls from
// JavaScript take the same mutex and write directly when nothing is queued, so
// a key from a relayed client or a snapshot costs no thread hop.
#define NAPI_VERSION 8
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define READ_SIZE 65536
/* A client this far behind stops the PTY it watches until it is down to LOW. */
#define CLIENT_HIGH (2u << 20)
#define CLIENT_LOW (1u << 20)
/* Output handed to JavaScript and not yet taken: above this the PTY waits. */
#define JS_HIGH (4u << 20)
/*
 * Marks (ESC ]) handed to JavaScript and not yet taken: past this many, the
 * PTY is not read. A command's end is then never more than a few commands
 * ahead of the JavaScript side that writes it to the store, however far
 * behind a loaded machine makes it: what the relay has read and a kill -9
 * could lose is bounded by count, not by time. Plain output is not held up.
 */
#define JS_MARKS_HIGH 32
#define JS_BEHIND_READ 4096
/*
 * Output for JavaScript (mirror, recorder) is gathered for up to JS_DELAY_MS
 * or JS_BATCH bytes while every client watching the PTY is fed by the relay:
 * a burst of keystrokes then costs JavaScript one event instead of one per
 * echo, and its work stays off the CPUs the echoes need. A shell
 * integration mark (OSC, ESC ]) goes at once, so command times stay exact,
 * and so does everything while a client is fed from JavaScript (urgent).
 * Measured (npm run bench -- latency, three runs each): gathering for 10 ms
 * gave a fresh daemon's echo p99 0.98-1.30x tmux's, 50 ms 0.71-0.77x.
 */
#define JS_DELAY_MS 50
#define JS_BATCH 65536

enum { EV_OUTPUT = 1, EV_EOF = 2, EV_INPUT = 3, EV_GONE = 4, EV_CLOSED = 5, EV_EXIT = 6 };

typedef struct chunk {
  struct chunk *next;
  size_t len, off;
  char data[];
} chunk;

typedef struct {
  chunk *head, *tail;
  size_t bytes;
} queue;

typedef struct {
  uint32_t id; /* 0: free slot */
  int fd;      /* our own dup of the master; closed on remove or end of file */
  int paused;  /* by JavaScript (mirror backpressure) */
  int over;    /* a client watching it is too far behind */
  int eof;
  uint64_t seq; /* output chunks read */
  size_t js_pending;
  size_t js_marks; /* ESC ] handed to JavaScript and not yet taken */
  int marked;      /* reads since the last mark, counted down: while above 0, commands are running by */
  int urgent;
  char *batch; /* output gathered for JavaScript, JS_BATCH bytes */
  size_t batch_len;
  int64_t batch_since;
  queue in; /* keys not yet taken by the PTY */
  int strip;     /* where strip_marks stands in trail's own marks (0: outside one) */
  char held[8];  /* the start of what may be one of trail's marks, not yet sent */
  int nheld;
} pty_t;

typedef struct {
  uint32_t id;
  int fd;
  int read_only;
  unsigned char detach, prefix;
  uint32_t pty; /* bound PTY, 0 for none */
  int live;     /* the relay writes the bound PTY's output to it */
  int diverted; /* keys go to JavaScript until it releases them */
  uint64_t in_seq, divert_seq;
  int dead;     /* hung up, or a write failed */
  int removing; /* flushing its output, then closed */
  int64_t deadline;
  queue out;
} client_t;

/* A program started by spawn(): watched through its pidfd, reaped here (libuv reaps only its own). */
typedef struct {
  uint32_t id; /* its pid; 0: free slot */
  int fd;      /* pidfd */
} child_t;

typedef struct event {
  struct event *next;
  int kind;
  uint32_t id;
  uint64_t seq;
  size_t len;
  char data[];
} event;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t thread;
static int started;
static int wake_fds[2] = {-1, -1};
static napi_threadsafe_function tsfn;
static pty_t *ptys;
static size_t nptys;
static client_t *clients;
static size_t nclients;
static child_t *children;
static size_t nchildren;
static uint32_t next_id = 1;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wake(void) {
  char c = 1;
  ssize_t r = write(wake_fds[1], &c, 1); /* EAGAIN: a wake is already pending */
  (void)r;
}

static int q_push(queue *q, const char *p, size_t n) {
  chunk *c = malloc(sizeof(chunk) + n);
  if (!c) return -1;
  c->next = NULL;
  c->len = n;
  c->off = 0;
  memcpy(c->data, p, n);
  if (q->tail) q->tail->next = c;
  else q->head = c;
  q->tail = c;
  q->bytes += n;
  return 0;
}

static void q_clear(queue *q) {
  chunk *c = q->head;
  while (c) {
    chunk *n = c->next;
    free(c);
    c = n;
  }
  q->head = q->tail = NULL;
  q->bytes = 0;
}

/* Writes what is queued: 0 when done or the fd is full, -1 on a hard error. */
static int q_flush(queue *q, int fd) {
  while (q->head) {
    chunk *c = q->head;
    ssize_t w = write(fd, c->data + c->off, c->len - c->off);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      return -1;
    }
    c->off += (size_t)w;
    q->bytes -= (size_t)w;
    if (c->off < c->len) return 0;
    q->head = c->next;
    if (!q->head) q->tail = NULL;
    free(c);
  }
  return 0;
}

/* Writes at once if nothing is queued ahead, queues the rest: -1 on a hard error. */
static int q_send(queue *q, int fd, const char *p, size_t n) {
  if (!q->head) {
    while (n > 0) {
      ssize_t w = write(fd, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        return -1;
      }
      p += w;
      n -= (size_t)w;
    }
  }
  return n > 0 ? q_push(q, p, n) : 0;
}

static pty_t *find_pty(uint32_t id) {
  if (!id) return NULL;
  for (size_t i = 0; i < nptys; i++)
    if (ptys[i].id == id) return &ptys[i];
  return NULL;
}

static client_t *find_client(uint32_t id) {
  if (!id) return NULL;
  for (size_t i = 0; i < nclients; i++)
    if (clients[i].id == id) return &clients[i];
  return NULL;
}

/* Events are made under the lock and sent after it, in order. */
typedef struct {
  event *head, *tail;
} evlist;

static void ev_add(evlist *l, int kind, uint32_t id, uint64_t seq, const char *p, size_t n) {
  event *e = malloc(sizeof(event) + n);
  if (!e) return; /* out of memory: the copy is lost, the relay goes on */
  e->next = NULL;
  e->kind = kind;
  e->id = id;
  e->seq = seq;
  e->len = n;
  if (n) memcpy(e->data, p, n);
  if (l->tail) l->tail->next = e;
  else l->head = e;
  l->tail = e;
}

static void ev_send(evlist *l) {
  event *e = l->head;
  while (e) {
    event *n = e->next;
    if (napi_call_threadsafe_function(tsfn, e, napi_tsfn_nonblocking) != napi_ok) free(e);
    e = n;
  }
  l->head = l->tail = NULL;
}

static void client_dead(client_t *c, evlist *ev) {
  if (c->dead) return;
  c->dead = 1;
  c->live = 0;
  q_clear(&c->out);
  if (!c->removing) ev_add(ev, EV_GONE, c->id, 0, NULL, 0);
}

static size_t count_osc(const char *b, size_t n) {
  size_t k = 0;
  const char *e = b, *end = b + n;
  while ((e = memchr(e, 0x1b, (size_t)(end - e)))) {
    if (e + 1 < end && e[1] == ']') k++;
    e++;
  }
  return k;
}

static void flush_js(pty_t *p, evlist *ev) {
  if (!p->batch_len) return;
  p->js_pending += p->batch_len;
  p->js_marks += count_osc(p->batch, p->batch_len);
  ev_add(ev, EV_OUTPUT, p->id, p->seq, p->batch, p->batch_len);
  p->batch_len = 0;
}

/* ESC ] anywhere, or an ESC that the next chunk may continue. */
static int has_osc(const char *b, size_t n) {
  const char *e = b, *end = b + n;
  while ((e = memchr(e, 0x1b, (size_t)(end - e)))) {
    if (e + 1 == end || e[1] == ']') return 1;
    e++;
  }
  return 0;
}

static void pty_free(pty_t *p) {
  if (p->fd >= 0) close(p->fd);
  q_clear(&p->in);
  free(p->batch);
  memset(p, 0, sizeof *p);
}

static void pty_end(pty_t *p, evlist *ev) {
  if (p->eof) return;
  flush_js(p, ev);
  p->eof = 1;
  close(p->fd);
  p->fd = -1;
  q_clear(&p->in);
  ev_add(ev, EV_EOF, p->id, p->seq, NULL, 0);
}

/*
 * trail's own marks (OSC 633, signed with the terminal's nonce) are for the
 * daemon: no client gets them, so no outer terminal, log or watcher ever sees
 * the nonce. Copies buf to out without them, across reads (p->strip and
 * p->held carry a mark or its possible start over to the next read); out has
 * room for n + sizeof p->held bytes. JavaScript's MarkStripper does the same
 * for the clients it feeds.
 */
static size_t strip_marks(pty_t *p, const char *buf, size_t n, char *out) {
  static const char prefix[] = "\x1b]633;";
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    char ch = buf[i];
    switch (p->strip) {
    case 0: /* outside: maybe the start of a mark */
      if (ch == 0x1b) {
        p->held[0] = ch;
        p->nheld = 1;
        p->strip = 1;
      } else out[o++] = ch;
      break;
    case 1: /* held a prefix of "ESC ] 6 3 3 ;" */
      if (ch == prefix[p->nheld]) {
        p->held[p->nheld++] = ch;
        if (p->nheld == (int)sizeof prefix - 1) {
          p->nheld = 0;
          p->strip = 2;
        }
      } else {
        memcpy(out + o, p->held, (size_t)p->nheld);
        o += (size_t)p->nheld;
        p->nheld = 0;
        p->strip = 0;
        i--; /* this byte again, from outside */
      }
      break;
    case 2: /* inside a mark: dropped up to BEL or ST */
      if (ch == 0x07) p->strip = 0;
      else if (ch == 0x1b) p->strip = 3;
      break;
    case 3: /* ESC inside a mark: ST ends it; anything else ends it, and the ESC may start the next mark */
      if (ch == '\\') p->strip = 0;
      else {
        p->held[0] = 0x1b;
        p->nheld = 1;
        p->strip = 1;
        i--;
      }
      break;
    }
  }
  return o;
}

static void pty_output(pty_t *p, const char *buf, size_t n, evlist *ev) {
  p->seq++;
  int osc = has_osc(buf, n);
  /* A command's echo or output can fill a read without a mark: a few more small reads after each mark. */
  if (osc) p->marked = 8;
  else if (p->marked > 0) p->marked--;
  /* What clients get: the chunk as it is unless it holds (or continues) a mark. */
  static char shown[READ_SIZE + 16];
  const char *cbuf = buf;
  size_t cn = n;
  if (p->strip || memchr(buf, 0x1b, n)) {
    cn = strip_marks(p, buf, n, shown);
    cbuf = shown;
  }
  for (size_t i = 0; i < nclients; i++) {
    client_t *c = &clients[i];
    if (c->id && c->live && c->pty == p->id && !c->dead && cn > 0)
      if (q_send(&c->out, c->fd, cbuf, cn) < 0) client_dead(c, ev);
  }
  int now = p->urgent || !p->batch || osc;
  if (now && !p->batch_len) {
    p->js_pending += n;
    p->js_marks += count_osc(buf, n);
    ev_add(ev, EV_OUTPUT, p->id, p->seq, buf, n);
    return;
  }
  while (n > 0) {
    size_t room = JS_BATCH - p->batch_len, take = n < room ? n : room;
    if (!p->batch_len) p->batch_since = now_ms();
    memcpy(p->batch + p->batch_len, buf, take);
    p->batch_len += take;
    buf += take;
    n -= take;
    if (p->batch_len == JS_BATCH) flush_js(p, ev);
  }
  if (now) flush_js(p, ev);
}

static void client_input(client_t *c, const char *buf, size_t n, evlist *ev) {
  pty_t *p = find_pty(c->pty);
  int special = memchr(buf, c->detach, n) || memchr(buf, c->prefix, n);
  if (c->read_only || c->diverted || special || !p || p->eof) {
    c->diverted = 1;
    c->divert_seq = ++c->in_seq;
    ev_add(ev, EV_INPUT, c->id, c->divert_seq, buf, n);
    return;
  }
  if (q_send(&p->in, p->fd, buf, n) < 0) q_clear(&p->in); /* EIO: the shell is gone */
}

static size_t max_backlog(uint32_t pty) {
  size_t m = 0;
  for (size_t i = 0; i < nclients; i++)
    if (clients[i].id && clients[i].pty == pty && clients[i].out.bytes > m) m = clients[i].out.bytes;
  return m;
}

static int pty_readable(pty_t *p) {
  size_t b = max_backlog(p->id);
  if (p->over && b < CLIENT_LOW) p->over = 0;
  else if (!p->over && b > CLIENT_HIGH) p->over = 1;
  return !p->eof && !p->paused && !p->over && p->js_pending < JS_HIGH && p->js_marks < JS_MARKS_HIGH;
}

enum { T_WAKE, T_PTY, T_CLIENT, T_CHILD };

/* A watched program's pidfd is readable: it has ended. Reaped, and JavaScript told how (seq: the exit code, or 256 + the signal). */
static void child_exited(uint32_t pid, evlist *ev) {
  for (size_t i = 0; i < nchildren; i++) {
    child_t *c = &children[i];
    if (c->id != pid) continue;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG);
    if ((r == 0 && si.si_pid == 0) || (r < 0 && errno == EINTR)) return; /* not ended after all: asked again at the next poll */
    /* r < 0: someone else reaped it (ECHILD), and how it ended is not known. */
    uint64_t status = r < 0 ? 255 : si.si_code == CLD_EXITED ? (uint64_t)si.si_status : 256 + (uint64_t)si.si_status;
    close(c->fd);
    memset(c, 0, sizeof *c);
    ev_add(ev, EV_EXIT, pid, status, NULL, 0);
    return;
  }
}

static void *loop(void *arg) {
  (void)arg;
  pthread_setname_np(pthread_self(), "trail-relay");
  static char buf[READ_SIZE];
  struct pollfd *fds = NULL;
  int *kinds = NULL;
  uint32_t *ids = NULL;
  size_t cap = 0;
  for (;;) {
    evlist ev = {0};
    pthread_mutex_lock(&mu);
    size_t need = 1 + nptys + nclients + nchildren;
    if (need > cap) {
      cap = need * 2;
      fds = realloc(fds, cap * sizeof *fds);
      kinds = realloc(kinds, cap * sizeof *kinds);
      ids = realloc(ids, cap * sizeof *ids);
    }
    size_t n = 0;
    fds[n] = (struct pollfd){.fd = wake_fds[0], .events = POLLIN};
    kinds[n++] = T_WAKE;
    int64_t timeout = -1, now = now_ms();
    for (size_t i = 0; i < nptys; i++) {
      pty_t *p = &ptys[i];
      if (!p->id || p->eof) continue;
      if (p->batch_len) {
        int64_t left = p->batch_since + JS_DELAY_MS - now;
        if (left <= 0) flush_js(p, &ev);
        else if (timeout < 0 || left < timeout) timeout = left;
      }
      short e = (pty_readable(p) ? POLLIN : 0) | (p->in.head ? POLLOUT : 0);
      if (!e) continue;
      fds[n] = (struct pollfd){.fd = p->fd, .events = e};
      kinds[n] = T_PTY;
      ids[n++] = p->id;
    }
    for (size_t i = 0; i < nclients; i++) {
      client_t *c = &clients[i];
      if (!c->id) continue;
      if (c->removing && (c->dead || !c->out.head || now >= c->deadline)) {
        close(c->fd);
        ev_add(&ev, EV_CLOSED, c->id, 0, NULL, 0);
        q_clear(&c->out);
        memset(c, 0, sizeof *c);
        continue;
      }
      if (c->dead) continue;
      if (c->removing) {
        int64_t left = c->deadline - now;
        if (timeout < 0 || left < timeout) timeout = left;
      }
      /* A hang-up shows as POLLHUP whatever is asked for; input stops while leaving. */
      fds[n] = (struct pollfd){.fd = c->fd, .events = (c->removing ? 0 : POLLIN) | (c->out.head ? POLLOUT : 0)};
      kinds[n] = T_CLIENT;
      ids[n++] = c->id;
    }
    for (size_t i = 0; i < nchildren; i++) {
      if (!children[i].id) continue;
      fds[n] = (struct pollfd){.fd = children[i].fd, .events = POLLIN};
      kinds[n] = T_CHILD;
      ids[n++] = children[i].id;
    }
    pthread_mutex_unlock(&mu);
    ev_send(&ev);

    int r = poll(fds, n, (int)timeout);
    if (r < 0 && errno != EINTR) continue;

    pthread_mutex_lock(&mu);
    for (size_t k = 0; k < n && r > 0; k++) {
      short re = fds[k].revents;
      if (!re) continue;
      if (kinds[k] == T_WAKE) {
        char drain[256];
        while (read(wake_fds[0], drain, sizeof drain) > 0) {
        }
      } else if (kinds[k] == T_CHILD) {
        child_exited(ids[k], &ev);
      } else if (kinds[k] == T_PTY) {
        pty_t *p = find_pty(ids[k]);
        if (!p || p->eof) continue; /* removed meanwhile */
        if (re & POLLOUT && q_flush(&p->in, p->fd) < 0) q_clear(&p->in);
        if (re & (POLLIN | POLLHUP | POLLERR)) {
          /*
           * While commands run by (a mark in the last few reads) or marks wait for JavaScript,
           * read little: a read is handed to clients at once and to JavaScript whole, so
           * it is what a kill -9 can lose beyond the marks waiting. A flood of plain
           * output has no marks and is read 64 KiB at a time.
           */
          ssize_t got = read(p->fd, buf, p->js_marks || p->marked ? JS_BEHIND_READ : sizeof buf);
          if (got > 0) pty_output(p, buf, (size_t)got, &ev);
          else if (got == 0 || (errno != EAGAIN && errno != EINTR)) pty_end(p, &ev); /* EIO: the last slave closed */
        }
      } else {
        client_t *c = find_client(ids[k]);
        if (!c || c->dead) continue;
        if (re & POLLOUT && q_flush(&c->out, c->fd) < 0) client_dead(c, &ev);
        if (c->dead) continue;
        if (!c->removing && re & (POLLIN | POLLHUP | POLLERR)) {
          ssize_t got = read(c->fd, buf, sizeof buf);
          if (got > 0) client_input(c, buf, (size_t)got, &ev);
          else if (got == 0 || (errno != EAGAIN && errno != EINTR)) client_dead(c, &ev);
        } else if (c->removing && re & (POLLHUP | POLLERR)) client_dead(c, &ev);
      }
    }
    pthread_mutex_unlock(&mu);
    ev_send(&ev);
  }
  return NULL;
}

/* ---- JavaScript side ---- */

static void free_event(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  free(hint);
}

/* The event's bytes become the Buffer itself (freed when V8 collects it): no copy on the way in. */
static void call_js(napi_env env, napi_value cb, void *ctx, void *data) {
  (void)ctx;
  event *e = data;
  int kind = e->kind, owned = 0;
  uint32_t id = e->id;
  size_t len = e->len;
  size_t marks = kind == EV_OUTPUT ? count_osc(e->data, len) : 0;
  if (env && cb) {
    napi_value argv[4], undef;
    napi_get_undefined(env, &undef);
    napi_create_uint32(env, (uint32_t)kind, &argv[0]);
    napi_create_uint32(env, id, &argv[1]);
    napi_create_double(env, (double)e->seq, &argv[2]);
    argv[3] = undef;
    if (kind == EV_OUTPUT || kind == EV_INPUT) {
      if (napi_create_external_buffer(env, len, e->data, free_event, e, &argv[3]) == napi_ok) owned = 1;
      else {
        void *out; /* runtimes that allow no external buffers */
        napi_create_buffer_copy(env, len, e->data, &out, &argv[3]);
      }
    }
    napi_call_function(env, undef, cb, 4, argv, NULL);
  }
  if (!owned) free(e);
  if (kind == EV_OUTPUT) {
    pthread_mutex_lock(&mu);
    pty_t *p = find_pty(id);
    if (p) {
      int was = p->js_pending >= JS_HIGH || p->js_marks >= JS_MARKS_HIGH;
      p->js_pending -= len < p->js_pending ? len : p->js_pending;
      p->js_marks -= marks < p->js_marks ? marks : p->js_marks;
      if (was && p->js_pending < JS_HIGH && p->js_marks < JS_MARKS_HIGH) wake();
    }
    pthread_mutex_unlock(&mu);
  }
}

#define ARGS(n)                                                   \
  size_t argc = n;                                                \
  napi_value argv[n];                                             \
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);

static napi_value throw_err(napi_env env, const char *msg) {
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static uint32_t arg_u32(napi_env env, napi_value v) {
  uint32_t x = 0;
  napi_get_value_uint32(env, v, &x);
  return x;
}

static napi_value u32(napi_env env, uint32_t x) {
  napi_value v;
  napi_create_uint32(env, x, &v);
  return v;
}

static napi_value boolean(napi_env env, int b) {
  napi_value v;
  napi_get_boolean(env, b, &v);
  return v;
}

static int set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* start(onEvent): once per process. */
static napi_value js_start(napi_env env, napi_callback_info info) {
  ARGS(1);
  if (started) return throw_err(env, "relay already started");
  if (pipe(wake_fds) < 0) return throw_err(env, "relay: pipe failed");
  for (int i = 0; i < 2; i++) {
    fcntl(wake_fds[i], F_SETFD, FD_CLOEXEC);
    set_nonblock(wake_fds[i]);
  }
  napi_value name;
  napi_create_string_utf8(env, "trail-relay", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, NULL, NULL, NULL, call_js, &tsfn) != napi_ok)
    return throw_err(env, "relay: cannot make the event queue");
  /* The relay must not keep the daemon's event loop alive on its own. */
  napi_unref_threadsafe_function(env, tsfn);
  if (pthread_create(&thread, NULL, loop, NULL) != 0) return throw_err(env, "relay: cannot start its thread");
  pthread_detach(thread);
  started = 1;
  return NULL;
}

/* A free slot (id 0) of an array of entities whose first field is the id, or a new one. */
static void *slot(void *arr, size_t *n, size_t size) {
  void **p = arr;
  for (size_t i = 0; i < *n; i++) {
    void *e = (char *)*p + i * size;
    if (!*(uint32_t *)e) return e;
  }
  void *a = realloc(*p, (*n + 1) * size);
  if (!a) return NULL;
  *p = a;
  void *e = (char *)a + (*n)++ * size;
  memset(e, 0, size);
  return e;
}

/* ptyAdd(fd) -> id: the relay reads its own duplicate of the master from now on. */
static napi_value js_pty_add(napi_env env, napi_callback_info info) {
  ARGS(1);
  int fd = fcntl((int)arg_u32(env, argv[0]), F_DUPFD_CLOEXEC, 3);
  if (fd < 0) return throw_err(env, "relay: cannot duplicate the PTY's fd");
  set_nonblock(fd);
  pthread_mutex_lock(&mu);
  pty_t *p = slot(&ptys, &nptys, sizeof *ptys);
  if (!p) {
    pthread_mutex_unlock(&mu);
    close(fd);
    return throw_err(env, "relay: out of memory");
  }
  memset(p, 0, sizeof *p);
  p->id = next_id++;
  p->fd = fd;
  p->batch = malloc(JS_BATCH); /* without it, every chunk goes to JavaScript at once */
  uint32_t id = p->id;
  pthread_mutex_unlock(&mu);
  wake();
  return u32(env, id);
}

static napi_value js_pty_remove(napi_env env, napi_callback_info info) {
  ARGS(1);
  pthread_mutex_lock(&mu);
  pty_t *p = find_pty(arg_u32(env, argv[0]));
  if (p) pty_free(p);
  pthread_mutex_unlock(&mu);
  wake();
  return NULL;
}

static int get_buffer(napi_env env, napi_value v, char **p, size_t *n) {
  return napi_get_buffer_info(env, v, (void **)p, n) == napi_ok;
}

/* ptyWrite(id, buf): in order with the keys the relay writes itself. */
static napi_value js_pty_write(napi_env env, napi_callback_info info) {
  ARGS(2);
  char *b;
  size_t n;
  if (!get_buffer(env, argv[1], &b, &n)) return throw_err(env, "relay: ptyWrite needs a Buffer");
  pthread_mutex_lock(&mu);
  pty_t *p = find_pty(arg_u32(env, argv[0]));
  int queued = 0;
  if (p && !p->eof && n) {
    if (q_send(&p->in, p->fd, b, n) < 0) q_clear(&p->in);
    queued = p->in.head != NULL;
  }
  pthread_mutex_unlock(&mu);
  if (queued) wake();
  return NULL;
}

static napi_value js_pty_pause(napi_env env, napi_callback_info info) {
  ARGS(2);
  bool paused = false;
  napi_get_value_bool(env, argv[1], &paused);
  pthread_mutex_lock(&mu);
  pty_t *p = find_pty(arg_u32(env, argv[0]));
  if (p) p->paused = paused;
  pthread_mutex_unlock(&mu);
  if (!paused) wake();
  return NULL;
}

/* ptyUrgent(id, bool): a client of this PTY is fed from JavaScript, so output must not wait. */
static napi_value js_pty_urgent(napi_env env, napi_callback_info info) {
  ARGS(2);
  bool urgent = false;
  napi_get_value_bool(env, argv[1], &urgent);
  evlist ev = {0};
  pthread_mutex_lock(&mu);
  pty_t *p = find_pty(arg_u32(env, argv[0]));
  if (p) {
    p->urgent = urgent;
    if (urgent) flush_js(p, &ev);
  }
  pthread_mutex_unlock(&mu);
  ev_send(&ev);
  return NULL;
}

/* Whether JavaScript has been handed every chunk the PTY has read, its last being seq: none gathered, none newer. */
static int handed_all(const pty_t *p, double seq) {
  return !p->batch_len && (double)p->seq == seq;
}

/* ptyHanded(id, seq) -> bool: JavaScript has been handed every chunk this PTY has read, up to seq (none gathered or newer). */
static napi_value js_pty_handed(napi_env env, napi_callback_info info) {
  ARGS(2);
  double seq = 0;
  napi_get_value_double(env, argv[1], &seq);
  pthread_mutex_lock(&mu);
  pty_t *p = find_pty(arg_u32(env, argv[0]));
  int ok = !p || handed_all(p, seq);
  pthread_mutex_unlock(&mu);
  return boolean(env, ok);
}

/* clientAdd(fd, readOnly, detachByte, prefixByte) -> id: the relay owns the fd from now on. */
static napi_value js_client_add(napi_env env, napi_callback_info info) {
  ARGS(4);
  int fd = (int)arg_u32(env, argv[0]);
  bool ro = false;
  napi_get_value_bool(env, argv[1], &ro);
  set_nonblock(fd);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  pthread_mutex_lock(&mu);
  client_t *c = slot(&clients, &nclients, sizeof *clients);
  if (!c) {
    pthread_mutex_unlock(&mu);
    return throw_err(env, "relay: out of memory");
  }
  memset(c, 0, sizeof *c);
  c->id = next_id++;
  c->fd = fd;
  c->read_only = ro;
  c->detach = (unsigned char)arg_u32(env, argv[2]);
  c->prefix = (unsigned char)arg_u32(env, argv[3]);
  uint32_t id = c->id;
  pthread_mutex_unlock(&mu);
  wake();
  return u32(env, id);
}

/* clientBind(id, ptyId | 0): keys go to that PTY; its output is fed by JavaScript until clientGoLive. */
static napi_value js_client_bind(napi_env env, napi_callback_info info) {
  ARGS(2);
  pthread_mutex_lock(&mu);
  client_t *c = find_client(arg_u32(env, argv[0]));
  if (c) {
    c->pty = arg_u32(env, argv[1]);
    c->live = 0;
  }
  pthread_mutex_unlock(&mu);
  return NULL;
}

/* clientGoLive(id, seq) -> bool: live when the JavaScript side has fed it every chunk up to the PTY's last. */
static napi_value js_client_go_live(napi_env env, napi_callback_info info) {
  ARGS(2);
  double seq = 0;
  napi_get_value_double(env, argv[1], &seq);
  int ok = 0;
  pthread_mutex_lock(&mu);
  client_t *c = find_client(arg_u32(env, argv[0]));
  pty_t *p = c ? find_pty(c->pty) : NULL;
  if (c && p && !c->dead && !c->removing && handed_all(p, seq)) ok = c->live = 1;
  pthread_mutex_unlock(&mu);
  return boolean(env, ok);
}

static napi_value js_client_write(napi_env env, napi_callback_info info) {
  ARGS(2);
  char *b;
  size_t n;
  if (!get_buffer(env, argv[1], &b, &n)) return throw_err(env, "relay: clientWrite needs a Buffer");
  evlist ev = {0};
  pthread_mutex_lock(&mu);
  client_t *c = find_client(arg_u32(env, argv[0]));
  int queued = 0;
  if (c && !c->dead && n) {
    if (q_send(&c->out, c->fd, b, n) < 0) client_dead(c, &ev);
    queued = c->out.head != NULL;
  }
  pthread_mutex_unlock(&mu);
  if (ev.head) ev_send(&ev);
  if (queued) wake();
  return NULL;
}

/*
 * clientWriteIf(id, buf, seq) -> bool: writes buf to the client only if JavaScript has had every
 * chunk its PTY has read (the same test as clientGoLive), checked and queued under the lock the PTY's
 * output is relayed under: a redraw made from the screen mirror never lands after newer output.
 */
static napi_value js_client_write_if(napi_env env, napi_callback_info info) {
  ARGS(3);
  char *b;
  size_t n;
  if (!get_buffer(env, argv[1], &b, &n)) return throw_err(env, "relay: clientWriteIf needs a Buffer");
  double seq = 0;
  napi_get_value_double(env, argv[2], &seq);
  evlist ev = {0};
  int ok = 0, queued = 0;
  pthread_mutex_lock(&mu);
  client_t *c = find_client(arg_u32(env, argv[0]));
  pty_t *p = c ? find_pty(c->pty) : NULL;
  if (c && !c->dead && n && (!p || handed_all(p, seq))) {
    ok = 1;
    if (q_send(&c->out, c->fd, b, n) < 0) client_dead(c, &ev);
    queued = c->out.head != NULL;
  }
  pthread_mutex_unlock(&mu);
  if (ev.head) ev_send(&ev);
  if (queued) wake();
  return boolean(env, ok);
}

/* clientRelease(id, seq): JavaScript has handled the diverted keys up to seq. */
static napi_value js_client_release(napi_env env, napi_callback_info info) {
  ARGS(2);
  double seq = 0;
  napi_get_value_double(env, argv[1], &seq);
  pthread_mutex_lock(&mu);
  client_t *c = find_client(arg_u32(env, argv[0]));
  if (c && (double)c->divert_seq == seq) c->diverted = 0;
  pthread_mutex_unlock(&mu);
  return NULL;
}

/* clientRemove(id, flushMs): no more keys; output flushed (bounded), then the fd is closed and EV_CLOSED sent. */
static napi_value js_client_remove(napi_env env, napi_callback_info info) {
  ARGS(2);
  pthread_mutex_lock(&mu);
  client_t *c = find_client(arg_u32(env, argv[0]));
  if (c && !c->removing) {
    c->removing = 1;
    c->pty = 0;
    c->live = 0;
    c->deadline = now_ms() + arg_u32(env, argv[1]);
  }
  pthread_mutex_unlock(&mu);
  wake();
  return NULL;
}

/*
 * closeOnExec(fd): node-pty 1.1.0 leaves the master of each PTY it forks
 * inheritable, so every later shell would hold the masters of the terminals
 * started before it: it could read their output and type into them, and
 * their shells would not get SIGHUP when trail closes them.
 */
static napi_value js_close_on_exec(napi_env env, napi_callback_info info) {
  ARGS(1);
  int fd = (int)arg_u32(env, argv[0]);
  int fl = fcntl(fd, F_GETFD);
  if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0) return throw_err(env, "relay: fcntl(FD_CLOEXEC) failed");
  return NULL;
}

/*
 * pipe(bytes) -> [readFd, writeFd]: a pipe (close-on-exec both ends: the one
 * program it is for gets it by dup2), asked to hold `bytes` (F_SETPIPE_SZ;
 * Linux caps it at /proc/sys/fs/pipe-max-size, 1 MiB by default).
 */
static napi_value js_pipe(napi_env env, napi_callback_info info) {
  ARGS(1);
  int want = (int)arg_u32(env, argv[0]);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return throw_err(env, "relay: pipe2 failed");
  (void)fcntl(fds[1], F_SETPIPE_SZ, want);
  napi_value out, r, w;
  napi_create_array_with_length(env, 2, &out);
  napi_create_int32(env, fds[0], &r);
  napi_create_int32(env, fds[1], &w);
  napi_set_element(env, out, 0, r);
  napi_set_element(env, out, 1, w);
  return out;
}

// The pid of the process at the other end of a unix socket (SO_PEERCRED), or -1:
// the daemon asks who calls, rather than believing what the caller says.
static napi_value js_peer_pid(napi_env env, napi_callback_info info) {
  ARGS(1);
  int fd = (int)arg_u32(env, argv[0]);
  struct ucred cred;
  socklen_t len = sizeof cred;
  napi_value out;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) napi_create_int32(env, -1, &out);
  else napi_create_int32(env, (int32_t)cred.pid, &out);
  return out;
}

/*
 * Service output, looked at once as it is stored (src/daemon/services.ts):
 * the bitmap of its three-character pieces (src/store/grams.ts makes the
 * same, bit for bit, and a test holds the two to it), where the secret
 * patterns' hints start (src/common/redact.ts), and whether it holds
 * control characters. Each character is taken by the low byte of its
 * UTF-16 unit (Latin-1: a plain copy where V8 holds the text that way):
 * for the bitmap a wider character shares its bits with another, which a
 * search's exact check sorts out; a hint or a control character may be
 * seen where there is none, never missed. In JavaScript the three passes
 * cost 9-10 ns a byte, as much as SQLite's writing the text; here about 2.
 */
static uint8_t *latin1_of(napi_env env, napi_value v, size_t *len) {
  if (napi_get_value_string_latin1(env, v, NULL, 0, len) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a string");
    return NULL;
  }
  uint8_t *t = malloc(*len + 1);
  if (!t) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  napi_get_value_string_latin1(env, v, (char *)t, *len + 1, len);
  return t;
}

static uint8_t fold_table[256];
static void fold_init(void) {
  for (int c = 0; c < 256; c++) fold_table[c] = (uint8_t)(c >= 'A' && c <= 'Z' ? c | 32 : c);
}

/*
 * The bitmap starts at 8 bits a character (at most 64 Kib) and is folded in
 * halves (bit i of the half is bits 2i and 2i+1: the hash's top bits pick
 * the bit, so the half is the bitmap one bit shorter would have been) while
 * the half is at most a third set: its size follows what the text holds,
 * not its length (a repetitive log's 256 KiB ends at 512 bytes).
 */
/* The bitmap's size for a text of len bytes: 8 bits a byte, from 256 bits up to 64 Kib. */
static unsigned grams_log2(size_t len) {
  unsigned bits_log2 = 8;
  while (bits_log2 < 16 && ((size_t)1 << bits_log2) < len * 8) bits_log2++;
  return bits_log2;
}

/* Folds a filled bitmap while its half is at most a third set, and returns it as a Buffer. */
static napi_value grams_done(napi_env env, uint8_t *map, size_t bytes) {
  while (bytes > 32) {
    size_t half = bytes / 2, ones = 0;
    uint8_t folded[1 << (16 - 4)];
    for (size_t i = 0; i < half; i++) {
      uint8_t lo = map[2 * i], hi = map[2 * i + 1], f = 0;
      for (int k = 0; k < 4; k++) {
        if (lo & (3u << (2 * k))) f |= (uint8_t)(1u << k);
        if (hi & (3u << (2 * k))) f |= (uint8_t)(1u << (k + 4));
      }
      folded[i] = f;
      ones += (size_t)__builtin_popcount(f);
    }
    if (ones * 3 > half * 8) break;
    memcpy(map, folded, half);
    bytes = half;
  }
  uint8_t *data;
  napi_value out;
  napi_create_buffer_copy(env, bytes, map, (void **)&data, &out);
  return out;
}

#define HINTS_MAX 64
#define HINT_LEN 32
typedef struct {
  char lits[HINTS_MAX][HINT_LEN + 1];
  size_t lens[HINTS_MAX];
  int n;
  /* The first two characters of some literal, as a bitmap of byte pairs. */
  uint8_t pairs[65536 / 8];
  /* The literals by their first character: order[from[c] .. from[c + 1]). */
  uint8_t order[HINTS_MAX];
  uint8_t from[257];
  /* The first three characters of each literal, hashed as the bitmap's pieces are (4096 bits); whether any literal has only two. */
  uint64_t threes[64];
  int twos;
} hint_set;

static int hint_set_of(napi_env env, napi_value literals, hint_set *h) {
  char spec[HINTS_MAX * (HINT_LEN + 1) + 1];
  size_t speclen = 0;
  if (napi_get_value_string_utf8(env, literals, spec, sizeof spec, &speclen) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected the literals as a string");
    return 0;
  }
  h->n = 0;
  memset(h->pairs, 0, sizeof h->pairs);
  for (size_t i = 0; i < speclen && h->n < HINTS_MAX;) {
    size_t j = i;
    while (j < speclen && spec[j] != '\n') j++;
    size_t l = j - i;
    if (l >= 2 && l <= HINT_LEN) {
      memcpy(h->lits[h->n], spec + i, l);
      h->lits[h->n][l] = 0;
      h->lens[h->n] = l;
      unsigned p = ((unsigned)(uint8_t)spec[i] << 8) | (uint8_t)spec[i + 1];
      h->pairs[p >> 3] |= (uint8_t)(1u << (p & 7));
      h->n++;
    }
    i = j + 1;
  }
  memset(h->threes, 0, sizeof h->threes);
  h->twos = 0;
  for (int k = 0; k < h->n; k++) {
    if (h->lens[k] < 3) {
      h->twos = 1;
      continue;
    }
    const uint8_t *l = (const uint8_t *)h->lits[k];
    uint32_t bit = ((((uint32_t)l[0] << 16) | ((uint32_t)l[1] << 8) | l[2]) * 0x9e3779b1u) >> 20;
    h->threes[bit >> 6] |= 1ull << (bit & 63);
  }
  unsigned count[256] = {0};
  for (int k = 0; k < h->n; k++) count[(uint8_t)h->lits[k][0]]++;
  h->from[0] = 0;
  for (int c = 0; c < 256; c++) h->from[c + 1] = (uint8_t)(h->from[c] + count[c]);
  uint8_t next[256];
  memcpy(next, h->from, 256);
  for (int k = 0; k < h->n; k++) h->order[next[(uint8_t)h->lits[k][0]]++] = (uint8_t)k;
  return 1;
}

/* Whether some literal starts at t[i] (its first two characters, folded, are c0 c1). */
static int hint_at(const hint_set *h, const uint8_t *t, size_t len, size_t i, unsigned c0, unsigned c1) {
  for (int o = h->from[c0]; o < h->from[c0 + 1]; o++) {
    int k = h->order[o];
    size_t l = h->lens[k], m = 2;
    if ((uint8_t)h->lits[k][1] != c1 || i + l > len) continue;
    while (m < l && fold_table[t[i + m]] == (uint8_t)h->lits[k][m]) m++;
    if (m == l) return 1;
  }
  return 0;
}

typedef struct {
  int32_t *at;
  size_t n, cap;
} hits;

static int hits_add(hits *x, int32_t i) {
  if (x->n == x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 64;
    int32_t *more = realloc(x->at, cap * sizeof(int32_t));
    if (!more) return 0;
    x->at = more;
    x->cap = cap;
  }
  x->at[x->n++] = i;
  return 1;
}

static napi_value hits_array(napi_env env, hits *x) {
  void *data;
  napi_value ab, out;
  napi_create_arraybuffer(env, x->n * sizeof(int32_t), &data, &ab);
  if (x->n) memcpy(data, x->at, x->n * sizeof(int32_t));
  free(x->at);
  napi_create_typedarray(env, napi_int32_array, x->n, ab, 0, &out);
  return out;
}

/* The n bytes of t, ASCII capitals made small (fold_table), into out. */
static void fold_into(uint8_t *out, const uint8_t *t, size_t n) {
  size_t i = 0;
#ifdef __SSE2__
  const __m128i below = _mm_set1_epi8('A' - 1), above = _mm_set1_epi8('Z' + 1), small = _mm_set1_epi8(32);
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(t + i));
    __m128i capital = _mm_and_si128(_mm_cmpgt_epi8(v, below), _mm_cmplt_epi8(v, above));
    _mm_storeu_si128((__m128i *)(out + i), _mm_or_si128(v, _mm_and_si128(capital, small)));
  }
#endif
  for (; i < n; i++) out[i] = fold_table[t[i]];
}

/* The three bytes from p as one number, the first the highest (p[3] is read too, and must be there). */
static inline uint32_t three_at(const uint8_t *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint32_t v;
  memcpy(&v, p, 4);
  return __builtin_bswap32(v) >> 8;
#else
  return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
#endif
}

/*
 * One look at text (ASCII, or each UTF-16 unit's low byte): the bitmap of
 * its pieces into map (when not NULL; shift from grams_log2), and where the
 * literals start (byte offsets) into x. 0 when out of memory.
 */
static int scan_text(const uint8_t *t, size_t len, const hint_set *h, uint8_t *map, unsigned shift, hits *x) {
  if (!h->twos) {
    // Every literal has three characters or more: a literal can start only where the hash of the three
    // characters there, the one the bitmap takes anyway, is one of the literals' (far fewer places to look
    // than where a literal's first two are: `pa`ge, u`se`r).
    // A block at a time, folded first: each three characters are then one load, not a value carried
    // from one character to the next (that chain of shifts was the loop's pace).
    enum { BLOCK = 4096 };
    uint8_t f[2 + BLOCK + 2]; // the block folded, after the last two characters of the one before
    for (size_t at = 0; at < len; at += BLOCK) {
      size_t n = len - at < BLOCK ? len - at : BLOCK;
      fold_into(f + 2, t + at, n);
      f[2 + n] = f[3 + n] = 0;
      // f[p] is t[at - 2 + p]: the three characters from p are f[p], f[p + 1], f[p + 2].
      for (size_t p = at ? 0 : 2; p < n; p++) {
        uint32_t w = three_at(f + p);
        uint32_t hw = w * 0x9e3779b1u, three = hw >> 20;
        if (map) map[(hw >> shift) >> 3] |= (uint8_t)(1u << ((hw >> shift) & 7));
        if (((h->threes[three >> 6] >> (three & 63)) & 1) && hint_at(h, t, len, at - 2 + p, w >> 16, (w >> 8) & 0xff) && !hits_add(x, (int32_t)(at - 2 + p))) return 0;
      }
      f[0] = f[n];
      f[1] = f[n + 1];
    }
    return 1;
  }
  uint32_t a = 0, b = 0;
  for (size_t i = 0; i < len; i++) {
    uint32_t c = fold_table[t[i]];
    if (map && i >= 2) {
      uint32_t bit = (((a << 16) ^ (b << 8) ^ c) * 0x9e3779b1u) >> shift;
      map[bit >> 3] |= (uint8_t)(1u << (bit & 7));
    }
    unsigned p = (b << 8) | c;
    if (i >= 1 && (h->pairs[p >> 3] & (1u << (p & 7))) && hint_at(h, t, len, i - 1, b, c) && !hits_add(x, (int32_t)(i - 1))) return 0;
    a = b;
    b = c;
  }
  return 1;
}

/*
 * The bitmap of text's pieces (returned), and where the literals start in it
 * (into x; with no literals, none); NULL when out of memory (an error is
 * then thrown).
 */
static napi_value grams_and_hints(napi_env env, const uint8_t *t, size_t len, const hint_set *h, hits *x) {
  unsigned bits_log2 = grams_log2(len);
  uint8_t map[1 << (16 - 3)];
  size_t bytes = (size_t)1 << (bits_log2 - 3);
  memset(map, 0, bytes);
  if (!scan_text(t, len, h, map, 32 - bits_log2, x)) {
    free(x->at);
    x->at = NULL;
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  return grams_done(env, map, bytes);
}

/* The bitmap of text's pieces alone. */
static napi_value grams_of(napi_env env, const uint8_t *t, size_t len) {
  hint_set none;
  none.n = 0;
  none.twos = 0;
  memset(none.threes, 0, sizeof none.threes);
  hits x = {0};
  return grams_and_hints(env, t, len, &none, &x);
}

static napi_value hints_of(napi_env env, napi_value literals, const uint8_t *t, size_t len) {
  hint_set h;
  if (!hint_set_of(env, literals, &h)) return NULL;
  hits x = {0};
  if (!scan_text(t, len, &h, NULL, 0, &x)) {
    free(x.at);
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  return hits_array(env, &x);
}

static int has_controls(const uint8_t *t, size_t len) {
  for (size_t i = 0; i < len; i++) {
    uint8_t c = t[i];
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) return 1;
  }
  return 0;
}

/* grams(text) -> Buffer */
static napi_value js_grams(napi_env env, napi_callback_info info) {
  ARGS(1);
  size_t len;
  uint8_t *t = latin1_of(env, argv[0], &len);
  if (!t) return NULL;
  napi_value out = grams_of(env, t, len);
  free(t);
  return out;
}

/* findHints(text, literals) -> Int32Array: literals '\n' between, lowercase ASCII, found in any ASCII case. */
static napi_value js_find_hints(napi_env env, napi_callback_info info) {
  ARGS(2);
  size_t len;
  uint8_t *t = latin1_of(env, argv[0], &len);
  if (!t) return NULL;
  napi_value out = hints_of(env, argv[1], t, len);
  free(t);
  return out;
}

/* scanOutput(text, literals) -> [grams, hints, controls]: the three at once, one copy. */
static napi_value js_scan_output(napi_env env, napi_callback_info info) {
  ARGS(2);
  size_t len;
  uint8_t *t = latin1_of(env, argv[0], &len);
  if (!t) return NULL;
  hint_set h;
  hits x = {0};
  napi_value grams = hint_set_of(env, argv[1], &h) ? grams_and_hints(env, t, len, &h, &x) : NULL;
  if (!grams) {
    free(t);
    return NULL;
  }
  napi_value out, controls;
  napi_create_array_with_length(env, 3, &out);
  napi_set_element(env, out, 0, grams);
  napi_set_element(env, out, 1, hits_array(env, &x));
  napi_get_boolean(env, has_controls(t, len), &controls);
  napi_set_element(env, out, 2, controls);
  free(t);
  return out;
}

/* What a byte is, for scanBytes: 1 a control character (as has_controls), 2 not ASCII. */
static uint8_t kind_table[256];
static void kind_init(void) {
  for (int c = 0; c < 256; c++) kind_table[c] = (uint8_t)(((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f ? 1 : 0) | (c >= 0x80 ? 2 : 0));
}

/* The bytes of a Uint8Array (no copy), or NULL with a TypeError thrown. */
static const uint8_t *bytes_of(napi_env env, napi_value v, size_t *len) {
  napi_typedarray_type type;
  void *data;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, len, &data, &ab, &offset) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "expected bytes (a Uint8Array)");
    return NULL;
  }
  return data ? data : (const uint8_t *)"";
}

/*
 * scanBytes(bytes, literals) -> [grams, hints, kinds, newlines]: service
 * output as the pipe gave it (UTF-8), with no copy: whether it holds a
 * control character (kinds & 1) or any byte that is not ASCII (kinds & 2),
 * how many '\n' it holds, and for plain ASCII (kinds 0) the bitmap of its
 * pieces and where the literals start (byte offsets): what grams and
 * findHints give for the same text as a string. Other text is made into
 * what a person saw first (shownBytes, or the caller's own way), and its
 * bitmap and hints are those of that: they are not made here for nothing.
 */
static napi_value js_scan_bytes(napi_env env, napi_callback_info info) {
  ARGS(2);
  size_t len;
  const uint8_t *t = bytes_of(env, argv[0], &len);
  if (!t) return NULL;
  uint8_t kinds = 0;
  uint32_t newlines = 0;
  size_t i = 0;
#ifdef __SSE2__
  // Sixteen bytes at a time: a control character is below 0x20 as a signed byte (so is any not ASCII), not a tab or '\n', or 0x7f.
  const __m128i sp = _mm_set1_epi8(0x20), tab = _mm_set1_epi8('\t'), lf = _mm_set1_epi8('\n'), del = _mm_set1_epi8(0x7f);
  __m128i ctrl = _mm_setzero_si128(), high = _mm_setzero_si128();
  for (; i + 16 <= len; i += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(t + i));
    __m128i nl = _mm_cmpeq_epi8(v, lf);
    newlines += (uint32_t)__builtin_popcount((unsigned)_mm_movemask_epi8(nl));
    __m128i low = _mm_andnot_si128(_mm_or_si128(nl, _mm_cmpeq_epi8(v, tab)), _mm_cmplt_epi8(v, sp));
    ctrl = _mm_or_si128(ctrl, _mm_or_si128(_mm_andnot_si128(v, low), _mm_cmpeq_epi8(v, del)));
    high = _mm_or_si128(high, v);
  }
  kinds = (uint8_t)((_mm_movemask_epi8(ctrl) ? 1 : 0) | (_mm_movemask_epi8(high) ? 2 : 0));
#endif
  for (; i < len; i++) {
    kinds |= kind_table[t[i]];
    newlines += t[i] == '\n';
  }
  napi_value grams, hints;
  if (kinds) {
    uint8_t *d;
    napi_create_buffer(env, 0, (void **)&d, &grams);
    hits none = {0};
    hints = hits_array(env, &none);
  } else {
    hint_set h;
    hits x = {0};
    if (!hint_set_of(env, argv[1], &h) || !(grams = grams_and_hints(env, t, len, &h, &x))) return NULL;
    hints = hits_array(env, &x);
  }
  napi_value out, k, nl;
  napi_create_array_with_length(env, 4, &out);
  napi_set_element(env, out, 0, grams);
  napi_set_element(env, out, 1, hints);
  napi_create_uint32(env, kinds, &k);
  napi_set_element(env, out, 2, k);
  napi_create_uint32(env, newlines, &nl);
  napi_set_element(env, out, 3, nl);
  return out;
}

/*
 * The end of the escape sequence at t[i] (ESC) in a line t[..len), as
 * common/ansi.ts skipEscape finds it: the index of its last byte; *ended
 * (when asked) says whether it has the end its kind asks for, not the one
 * the end of its line gave it.
 */
static size_t skip_escape(const uint8_t *t, size_t len, size_t i, bool *ended) {
  bool done = false;
  size_t end = i;
  uint8_t next = i + 1 < len ? t[i + 1] : 0;
  if (i + 1 >= len) {
    end = i;
  } else if (next == '[') {
    for (end = i + 2; end < len && !(t[end] >= 0x40 && t[end] <= 0x7e); end++) {
    }
    done = end < len;
    if (!done) end = len - 1;
  } else if (next == ']' || next == 'P' || next == 'X' || next == '^' || next == '_') {
    for (end = i + 2; end < len; end++) {
      if (t[end] == 0x07) break;
      if (t[end] == 0x1b && end + 1 < len && t[end + 1] == '\\') {
        end++;
        break;
      }
    }
    done = end < len;
    if (!done) end = len - 1;
  } else if (next == '(' || next == ')' || next == '*' || next == '+' || next == '#' || next == '%') {
    done = i + 2 < len;
    end = done ? i + 2 : len - 1;
  } else {
    done = true;
    end = i + 1;
  }
  if (ended) *ended = done;
  return end;
}

/*
 * The length of the UTF-8 sequence at t[i] (before e) when it is well formed
 * (what a decoder takes as it is), else 0 (a decoder would put U+FFFD).
 */
static size_t utf8_len(const uint8_t *t, size_t i, size_t e) {
  uint8_t c = t[i];
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return i + 1 < e && (t[i + 1] & 0xc0) == 0x80 ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (i + 2 >= e) return 0;
    uint8_t c1 = t[i + 1];
    if ((c1 & 0xc0) != 0x80 || (c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0)) return 0;
    return (t[i + 2] & 0xc0) == 0x80 ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (i + 3 >= e) return 0;
    uint8_t c1 = t[i + 1];
    if ((c1 & 0xc0) != 0x80 || (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90)) return 0;
    return (t[i + 2] & 0xc0) == 0x80 && (t[i + 3] & 0xc0) == 0x80 ? 4 : 0;
  }
  return 0;
}

/* How many bytes of blank end out[..n): JavaScript's trimEnd blanks (a tab, a space, Unicode's spaces, U+2028/9, U+FEFF), which is the last one. */
static size_t blank_at_end(const uint8_t *o, size_t n) {
  if (n >= 1 && (o[n - 1] == ' ' || o[n - 1] == '\t')) return 1;
  if (n >= 2 && o[n - 2] == 0xc2 && o[n - 1] == 0xa0) return 2;
  if (n < 3) return 0;
  uint8_t a = o[n - 3], b = o[n - 2], c = o[n - 1];
  if ((a == 0xe1 && b == 0x9a && c == 0x80) || (a == 0xe3 && b == 0x80 && c == 0x80) || (a == 0xef && b == 0xbb && c == 0xbf) || (a == 0xe2 && b == 0x81 && c == 0x9f)) return 3;
  if (a == 0xe2 && b == 0x80 && (c <= 0x8a || c == 0xa8 || c == 0xa9 || c == 0xaf)) return 3;
  return 0;
}

/*
 * UTF-8 text as JavaScript gives it to grams and findHints (latin1_of): each
 * UTF-16 code unit's low byte. Into p (at least len bytes); returns its length.
 */
static size_t utf16_low_bytes(const uint8_t *t, size_t len, uint8_t *p) {
  size_t m = 0;
  for (size_t i = 0; i < len;) {
    uint8_t c = t[i];
    uint32_t cp;
    if (c < 0x80) {
      p[m++] = c;
      i++;
      continue;
    }
    if (c < 0xe0) cp = ((uint32_t)(c & 0x1f) << 6) | (t[i + 1] & 0x3f), i += 2;
    else if (c < 0xf0) cp = ((uint32_t)(c & 0x0f) << 12) | ((uint32_t)(t[i + 1] & 0x3f) << 6) | (t[i + 2] & 0x3f), i += 3;
    else cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(t[i + 1] & 0x3f) << 12) | ((uint32_t)(t[i + 2] & 0x3f) << 6) | (t[i + 3] & 0x3f), i += 4;
    if (cp < 0x10000) p[m++] = (uint8_t)cp;
    else {
      cp -= 0x10000;
      p[m++] = (uint8_t)(0xd800 + (cp >> 10));
      p[m++] = (uint8_t)(0xdc00 + (cp & 0x3ff));
    }
  }
  return m;
}

/*
 * shownBytes(bytes, literals) -> [text, grams, newlines, hints, plain] | null: output
 * (UTF-8) that is not plain ASCII as a person saw it, line by line as
 * log-chunk.ts chunkOf makes it: a line without control characters as it
 * is; any other with its escape sequences and control characters taken out
 * (a tab stays) and its trailing blanks dropped (common/ansi.ts stripAnsi),
 * with the bitmap of the text's pieces and where the literals (secrets'
 * hints) start in it (as findHints gives them for the text as a string),
 * and whether the only control characters taken out were escape sequences
 * and carriage returns ending lines (plain). Null where that is not all there is to it, for the caller's own way: bytes
 * that are not well-formed UTF-8, a carriage return or backspace that draws
 * over a line, an erase in line, or an escape sequence its line cuts off (or
 * one that ends in a character that is not ASCII).
 */
static napi_value js_shown_bytes(napi_env env, napi_callback_info info) {
  ARGS(2);
  size_t len;
  const uint8_t *t = bytes_of(env, argv[0], &len);
  if (!t) return NULL;
  napi_value null;
  napi_get_null(env, &null);
  // Well formed throughout (inside escape sequences too: the bytes as written are kept as the colours' copy).
  int ascii = 1;
  for (size_t i = 0; i < len;) {
    uint64_t w;
    if (i + 8 <= len && (memcpy(&w, t + i, 8), !(w & 0x8080808080808080ull))) {
      i += 8;
      continue;
    }
    size_t k = utf8_len(t, i, len);
    if (!k) return null;
    if (k > 1) ascii = 0;
    i += k;
  }
  uint8_t *out = malloc(len ? len : 1);
  if (!out) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  size_t n = 0;
  uint32_t newlines = 0;
  // Whether a control character other than an escape sequence's, a tab, or a carriage return ending a line was taken out.
  bool odd = false;
  for (size_t s = 0; s <= len;) {
    const uint8_t *nlp = memchr(t + s, '\n', len - s);
    size_t e = nlp ? (size_t)(nlp - t) : len;
    uint8_t kinds = 0;
    for (size_t i = s; i < e && !(kinds & 1); i++) kinds |= kind_table[t[i]];
    if (!(kinds & 1)) {
      memcpy(out + n, t + s, e - s);
      n += e - s;
    } else {
      size_t from = n;
      for (size_t i = s; i < e; i++) {
        uint8_t c = t[i];
        if ((uint8_t)(c - 0x20) < 0x5f) {
          out[n++] = c; // printable ASCII, most of it
        } else if (c == 0x1b) {
          // JavaScript skips UTF-16 code units: a sequence that ends in a character that is not ASCII is its to judge.
          if (i + 1 == e || t[i + 1] >= 0x80) goto other;
          bool ended;
          size_t end = skip_escape(t + s, e - s, i - s, &ended) + s;
          // Unended in its line: read as one text, it would take in what follows (the next lines too).
          if (!ended || t[end] >= 0x80) goto other;
          if (t[i + 1] == '[' && t[end] == 'K') goto other;
          i = end;
        } else if (c == '\b' || (c == '\r' && i + 1 != e)) {
          goto other;
        } else if (c == 0xc2 && t[i + 1] < 0xa0) {
          i++; // a C1 control character (U+0080..U+009F), taken out as stripAnsi does
          odd = true;
        } else if (c >= 0x80) {
          size_t k = utf8_len(t, i, e);
          memcpy(out + n, t + i, k);
          n += k;
          i += k - 1;
        } else if (c == '\t') {
          out[n++] = c;
        } else if (c != '\r') {
          odd = true;
        }
      }
      for (size_t b; n > from && (b = blank_at_end(out, n)); n -= b) {
      }
    }
    if (!nlp) break;
    out[n++] = '\n';
    newlines++;
    s = e + 1;
  }
  {
    hint_set h;
    if (!hint_set_of(env, argv[1], &h)) {
      free(out);
      return NULL;
    }
    // The bitmap and the hints are those JavaScript would find in the text as a string.
    uint8_t *low = ascii ? out : malloc(n ? n : 1);
    if (!low) {
      free(out);
      napi_throw_error(env, NULL, "out of memory");
      return NULL;
    }
    size_t m = ascii ? n : utf16_low_bytes(out, n, low);
    hits x = {0};
    napi_value grams = grams_and_hints(env, low, m, &h, &x);
    if (low != out) free(low);
    if (!grams) {
      free(out);
      return NULL;
    }
    napi_value result, text, nl;
    uint8_t *d;
    napi_create_buffer_copy(env, n, out, (void **)&d, &text);
    free(out);
    napi_value plain;
    napi_create_array_with_length(env, 5, &result);
    napi_set_element(env, result, 0, text);
    napi_set_element(env, result, 1, grams);
    napi_create_uint32(env, newlines, &nl);
    napi_set_element(env, result, 2, nl);
    napi_set_element(env, result, 3, hits_array(env, &x));
    napi_get_boolean(env, !odd, &plain);
    napi_set_element(env, result, 4, plain);
    return result;
  }
other:
  free(out);
  return null;
}

/* The UTF-16 code units of the UTF-8 bytes t[..len) (well formed). */
static size_t utf16_units(const uint8_t *t, size_t len) {
  size_t u = 0;
  for (size_t i = 0; i < len; i++) u += (t[i] & 0xc0) != 0x80 ? (t[i] >= 0xf0 ? 2 : 1) : 0;
  return u;
}

/* Writes n in decimal and then c at h; returns the end. */
static char *decimal(char *h, size_t n, char c) {
  char d[24];
  int k = 0;
  do d[k++] = (char)('0' + n % 10);
  while ((n /= 10));
  while (k) *h++ = d[--k];
  *h++ = c;
  return h;
}

/* Appends "OFFSET:UNITS:" and the run's bytes to o (of room cap); 0 when it does not fit. */
static int colours_run(uint8_t *o, size_t *m, size_t cap, size_t offset, const uint8_t *run, size_t len) {
  char head[48];
  size_t k = (size_t)(decimal(decimal(head, offset, ':'), utf16_units(run, len), ':') - head);
  if (*m + k + len > cap) return 0;
  memcpy(o + *m, head, k);
  memcpy(o + *m + k, run, len);
  *m += k + len;
  return 1;
}

/*
 * coloursOf(written, text) -> Buffer | null: what the text as shown (from
 * shownBytes: each line of it the line as written with characters taken
 * out) lacks of the bytes as written, a line of it for each line ('\n'
 * between): each run taken out as "OFFSET:UNITS:RUN", OFFSET where it stands
 * in the line as shown and UNITS its length, both in UTF-16 code units. The
 * line as written is the line as shown with the runs put back (store/
 * services.ts withColours). Null when that is not fewer bytes than the
 * bytes as written: they are then kept as they are.
 */
static napi_value js_colours_of(napi_env env, napi_callback_info info) {
  ARGS(2);
  size_t len, tlen;
  const uint8_t *t = bytes_of(env, argv[0], &len);
  if (!t) return NULL;
  const uint8_t *x = bytes_of(env, argv[1], &tlen);
  if (!x) return NULL;
  napi_value null;
  napi_get_null(env, &null);
  size_t cap = len, m = 0;
  uint8_t *o = malloc(cap + 1);
  if (!o) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  size_t i = 0, j = 0;
  for (;;) {
    // One line of each: a character as written is either the next as shown, or taken out.
    size_t offset = 0, run = i;
    while (i < len && t[i] != '\n') {
      size_t k = t[i] < 0x80 ? 1 : utf8_len(t, i, len);
      if (!k) k = 1;
      if (j + k <= tlen && x[j] != '\n' && (k == 1 ? t[i] == x[j] : memcmp(t + i, x + j, k) == 0)) {
        if (run < i && !colours_run(o, &m, cap, offset, t + run, i - run)) goto whole;
        offset += k == 4 ? 2 : 1;
        j += k;
        i += k;
        // Then eight bytes at a time while both say the same in ASCII and the line goes on.
        for (uint64_t a, b; i + 8 <= len && j + 8 <= tlen; i += 8, j += 8, offset += 8) {
          memcpy(&a, t + i, 8);
          memcpy(&b, x + j, 8);
          uint64_t nl = a ^ 0x0a0a0a0a0a0a0a0aull;
          if (a != b || (a & 0x8080808080808080ull) || ((nl - 0x0101010101010101ull) & ~nl & 0x8080808080808080ull)) break;
        }
        run = i;
        continue;
      }
      i += k;
    }
    // What the line as shown has left over is not what it was made from.
    if (j < tlen && x[j] != '\n') goto whole;
    if (run < i && !colours_run(o, &m, cap, offset, t + run, i - run)) goto whole;
    if (i >= len) break;
    if (j >= tlen || m + 1 > cap) goto whole;
    o[m++] = '\n';
    i++;
    j++;
  }
  if (j != tlen) goto whole;
  {
    napi_value out;
    uint8_t *d;
    napi_create_buffer_copy(env, m, o, (void **)&d, &out);
    free(o);
    return out;
  }
whole:
  free(o);
  return null;
}

/* A JavaScript string as a new C string (NULL if it is not one or holds a NUL). */
static char *c_string(napi_env env, napi_value v) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (!s) return NULL;
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  if (strlen(s) != len) {
    free(s);
    return NULL;
  }
  return s;
}

static void free_strings(char **v) {
  for (size_t i = 0; v && v[i]; i++) free(v[i]);
  free(v);
}

/* A JavaScript array of strings as a NULL-ended C array (NULL if any is not a string or holds a NUL). */
static char **c_strings(napi_env env, napi_value arr) {
  uint32_t n = 0;
  if (napi_get_array_length(env, arr, &n) != napi_ok) return NULL;
  char **v = calloc((size_t)n + 1, sizeof *v);
  for (uint32_t i = 0; v && i < n; i++) {
    napi_value e;
    napi_get_element(env, arr, i, &e);
    if (!(v[i] = c_string(env, e))) {
      free_strings(v);
      return NULL;
    }
  }
  return v;
}

/*
 * spawn(file, args, env, cwd, [stdin, stdout, stderr], newSession) -> pid.
 * posix_spawn, which glibc does with vfork: libuv forks, and a fork copies the
 * daemon's page tables (3.5 ms a start at 120 MB, 18 ms at 500 MB, with the
 * loop stopped the while). An fd of -1 is /dev/null; signals go back to their
 * defaults and none is blocked, as libuv does. The program is watched through
 * a pidfd by the relay's thread, which reaps it and sends EV_EXIT.
 */
static napi_value js_spawn(napi_env env, napi_callback_info info) {
  ARGS(6);
  char *file = c_string(env, argv[0]), *cwd = c_string(env, argv[3]);
  char **args = c_strings(env, argv[1]), **envp = c_strings(env, argv[2]);
  int fds[3] = {-1, -1, -1};
  for (uint32_t i = 0; i < 3; i++) {
    napi_value e;
    napi_get_element(env, argv[4], i, &e);
    napi_get_value_int32(env, e, &fds[i]);
  }
  bool new_session = false;
  napi_get_value_bool(env, argv[5], &new_session);
  napi_value result = NULL;
  if (!file || !cwd || !args || !envp) {
    result = throw_err(env, "spawn: a string argument is missing or holds a NUL");
    goto done;
  }
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&at);
  for (int i = 0; i < 3; i++) {
    if (fds[i] >= 0 && fds[i] != i) posix_spawn_file_actions_adddup2(&fa, fds[i], i);
    else if (fds[i] < 0) posix_spawn_file_actions_addopen(&fa, i, "/dev/null", O_RDWR, 0);
  }
  posix_spawn_file_actions_addchdir_np(&fa, cwd);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setsigdefault(&at, &all);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (new_session ? POSIX_SPAWN_SETSID : 0));
  pid_t pid;
  int err = posix_spawn(&pid, file, &fa, &at, args, envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  if (err) {
    char msg[512];
    snprintf(msg, sizeof msg, "spawn %s: %s", file, strerror(err));
    result = throw_err(env, msg);
    goto done;
  }
  int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
  pthread_mutex_lock(&mu);
  child_t *c = pfd < 0 ? NULL : slot(&children, &nchildren, sizeof *c);
  if (c) *c = (child_t){.id = (uint32_t)pid, .fd = pfd};
  pthread_mutex_unlock(&mu);
  if (!c) {
    /* Not watched, it would never be reaped: ended at once, and said. */
    if (pfd >= 0) close(pfd);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    result = throw_err(env, "spawn: cannot watch the program (pidfd_open)");
    goto done;
  }
  wake();
  napi_create_int32(env, pid, &result);
done:
  free(file);
  free(cwd);
  free_strings(args);
  free_strings(envp);
  return result;
}

/* canSpawn() -> whether spawn() can watch what it starts (pidfds: Linux 5.3). */
static napi_value js_can_spawn(napi_env env, napi_callback_info info) {
  int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
  if (fd >= 0) close(fd);
  return boolean(env, fd >= 0);
}

static napi_value init(napi_env env, napi_value exports) {
  fold_init();
  kind_init();
  struct {
    const char *name;
    napi_callback fn;
  } fns[] = {
      {"start", js_start},
      {"closeOnExec", js_close_on_exec},
      {"peerPid", js_peer_pid},
      {"pipe", js_pipe},
      {"spawn", js_spawn},
      {"canSpawn", js_can_spawn},
      {"grams", js_grams},
      {"scanBytes", js_scan_bytes},
      {"shownBytes", js_shown_bytes},
      {"coloursOf", js_colours_of},
      {"findHints", js_find_hints},
      {"scanOutput", js_scan_output},
      {"ptyAdd", js_pty_add},
      {"ptyRemove", js_pty_remove},
      {"ptyWrite", js_pty_write},
      {"ptyPause", js_pty_pause},
      {"ptyUrgent", js_pty_urgent},
      {"ptyHanded", js_pty_handed},
      {"clientAdd", js_client_add},
      {"clientBind", js_client_bind},
      {"clientGoLive", js_client_go_live},
      {"clientWrite", js_client_write},
      {"clientWriteIf", js_client_write_if},
      {"clientRelease", js_client_release},
      {"clientRemove", js_client_remove},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}

NAPI_MODULE(trail_relay, init)
