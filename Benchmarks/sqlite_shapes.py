"""Which SQLite table layout lets two worker processes finish the most tasks
per second? A design experiment for issue 4 (durable throughput), not a test.

Two processes alternate write transactions shaped like a Chorus worker's
per-task batch (claim 64 at a time; then one transaction per task that stores
the previous task's outcome and early-acks + marks STARTED the next one) on
one WAL database, through Python's sqlite3 (the system libsqlite3). Python adds
its own per-statement cost, so compare the variants with each other only.

    python3 Benchmarks/sqlite_shapes.py current single noattempts single_noattempts

- current: messages (+ claim index) deleted at the ack, a results row
  (+ task_id index) and an attempts row (+ (task_id, attempt) index) per task,
  each written at start and at the end (Chorus's schema 3).
- single: the message row becomes the result row (no delete, no results
  table); attempts as in current.
- noattempts / single_noattempts: the same without the attempts table (the
  current attempt kept in the task's own row).

N=10000 (environment) sets the number of tasks.
"""
import json, multiprocessing as mp, os, sqlite3, sys, tempfile, time, uuid

N = int(os.environ.get("N", "10000"))
HEADERS = json.dumps({"lang": "py", "task": "noop", "id": "x" * 36, "shadow": None, "eta": None, "expires": None,
    "group": None, "group_index": None, "retries": 0, "timelimit": [None, None], "root_id": "x" * 36,
    "parent_id": None, "argsrepr": None, "kwargsrepr": None, "origin": "gen@host", "ignore_result": False,
    "replaced_task_nesting": 0, "stamped_headers": None, "stamps": {}})
BODY = json.dumps([[], {}, {"callbacks": None, "errbacks": None, "chain": None, "chord": None}])

def setup(path, variant):
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=NORMAL")
    c.executescript("""
    CREATE TABLE messages (id INTEGER PRIMARY KEY, queue TEXT, task_id TEXT, task_name TEXT, headers TEXT, body TEXT,
        status INTEGER DEFAULT 0, visible_at INTEGER, delivery_count INTEGER DEFAULT 0, redelivered INTEGER DEFAULT 0,
        lease_tag TEXT, published_at INTEGER, state TEXT, result TEXT, date_done REAL);
    CREATE INDEX messages_claim ON messages(queue, status, visible_at, id);
    CREATE TABLE results (id INTEGER PRIMARY KEY, task_id TEXT NOT NULL UNIQUE, state TEXT, result TEXT, children TEXT,
        date_done REAL, retries INT, name TEXT, queue TEXT, updated_at INT, expires_at INT, created_at INT);
    CREATE TABLE attempts (seq INTEGER PRIMARY KEY, task_id TEXT NOT NULL, attempt INT NOT NULL, task_name TEXT, root_id TEXT,
        state TEXT, started_at REAL, finished_at REAL, expires_at INT, created_at INT, UNIQUE(task_id, attempt));
    """)
    if variant.startswith("single"):
        c.execute("CREATE UNIQUE INDEX messages_task ON messages(task_id)")
    c.execute("BEGIN")
    for i in range(N):
        c.execute("INSERT INTO messages (queue, task_id, task_name, headers, body, visible_at, published_at) VALUES (?,?,?,?,?,?,?)",
                  ("celery", str(uuid.uuid4()), "noop", HEADERS, BODY, 0, 0))
    c.execute("COMMIT")
    c.close()

def worker(path, variant, wid, lock, out):
    c = sqlite3.connect(path, isolation_level=None, timeout=30)
    c.execute("PRAGMA synchronous=NORMAL")
    prev = None
    held = []
    done = 0
    t0 = time.perf_counter()
    while True:
        if not held:
            with lock:
                c.execute("BEGIN IMMEDIATE")
                rows = c.execute("SELECT id, task_id FROM messages WHERE queue='celery' AND status=0 ORDER BY visible_at, id LIMIT 64").fetchall()
                for r in rows:
                    c.execute("UPDATE messages SET status=1, visible_at=?, lease_tag=? WHERE id=?", (10**15, f"{r[0]}-{wid}", r[0]))
                c.execute("COMMIT")
            held = list(rows)
            if not held and prev is None:
                break
        nxt = held.pop(0) if held else None
        with lock:
            c.execute("BEGIN IMMEDIATE")
            if prev is not None:  # finish prev
                if variant.startswith("single"):
                    c.execute("UPDATE messages SET state='SUCCESS', result='null', date_done=1.0, status=3 WHERE id=?", (prev[0],))
                else:
                    c.execute("UPDATE results SET state='SUCCESS', result='null', date_done=1.0, updated_at=2 WHERE task_id=? AND state<>'SUCCESS'", (prev[1],))
                if "noattempts" not in variant:
                    c.execute("UPDATE attempts SET state='SUCCESS', finished_at=1.0 WHERE task_id=? AND attempt=1", (prev[1],))
                done += 1
            if nxt is not None:  # begin next: early ack + STARTED
                if variant.startswith("single"):
                    c.execute("UPDATE messages SET status=2, state='STARTED' WHERE id=? AND status=1", (nxt[0],))
                else:
                    c.execute("DELETE FROM messages WHERE id=? AND status=1", (nxt[0],))
                    c.execute("INSERT INTO results (task_id, state, result, children, retries, name, queue, updated_at, expires_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                              (nxt[1], 'STARTED', 'null', '[]', 0, 'noop', 'celery', 1, 2, 1))
                if "noattempts" not in variant:
                    c.execute("INSERT INTO attempts (task_id, attempt, task_name, root_id, state, started_at, expires_at, created_at) VALUES (?,?,?,?,?,?,?,?)",
                              (nxt[1], 1, 'noop', nxt[1], 'STARTED', 1.0, 2, 1))
            c.execute("COMMIT")
        prev = nxt
    out.put((done, time.perf_counter() - t0))

if __name__ == "__main__":
    for variant in sys.argv[1:]:
        path = os.path.join(tempfile.gettempdir(), f"chorus-shapes-{os.getpid()}-{variant}.db")
        for f in (path, path + "-wal", path + "-shm"):
            if os.path.exists(f): os.remove(f)
        setup(path, variant)
        lock = mp.Lock()
        out = mp.Queue()
        t = time.perf_counter()
        ps = [mp.Process(target=worker, args=(path, variant, w, lock, out)) for w in range(2)]
        for p in ps: p.start()
        res = [out.get() for _ in ps]
        for p in ps: p.join()
        el = time.perf_counter() - t
        print(f"{variant:18s} {sum(r[0] for r in res)} tasks in {el:.2f}s = {sum(r[0] for r in res)/el:.0f}/s")
        for f in (path, path + "-wal", path + "-shm"):
            if os.path.exists(f): os.remove(f)
