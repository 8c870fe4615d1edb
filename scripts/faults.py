#!/usr/bin/env python3
"""Fault script (issue 12): replays faults against a running `alleycat serve` and checks
that it heals without a restart. Run by scripts/faults.sh, which builds the binaries.

  1. A seeded race sent by alleycat-sim to a durable service with --max-connections M,
     while (a) one client floods it with 2 x M + 50 idle connections for 10 s and
     (b) another process holds SQLite's write lock on the store for 20 s from the first
     merge. /health must answer during the flood and name the merger while it fails.
     The service is then stopped with SIGINT and its history files, leaderboards,
     races and results compared with the same race run in process without faults;
     every acknowledged record must be in the delivered objects.
  2. A second `alleycat serve` on the same data folder is refused at once, naming the first.
  3. A durable service on a small tmpfs: the disk is filled until PutRecords fails,
     then freed; writing must resume within 5 s, and reading the stream back must give
     exactly the acknowledged records (none answered as failed).
  4. A damaged history file: the next start is refused naming a command; that command
     is run, and the file must equal the clean run's.
Prints a line per check and one JSON line; exits 1 when a check fails.
"""
import base64, glob, gzip, json, os, re, shutil, signal, socket, sqlite3, subprocess, sys, tempfile, threading, time
import urllib.error, urllib.request

bin_dir = sys.argv[1]
alleycat, simulator = f"{bin_dir}/alleycat", f"{bin_dir}/alleycat-sim"
racers = int(os.environ.get("RACERS", "300"))
seconds = int(os.environ.get("RACE_SECONDS", "60"))
speed = os.environ.get("SPEED", "2")
max_connections = int(os.environ.get("MAX_CONNECTIONS", "200"))
lock_seconds = float(os.environ.get("LOCK_SECONDS", "20"))
work = tempfile.mkdtemp(prefix="alleycat-faults-")
checks, details = [], {}


def check(name, ok, detail=""):
    checks.append((name, bool(ok)))
    print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)


def start_serve(data, *args):
    log = open(f"{data}.log", "a")
    before = log.tell()
    process = subprocess.Popen([alleycat, "serve", "--port", "0", "--data", data, *args], stdout=log, stderr=subprocess.STDOUT)
    for _ in range(600):
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", open(f"{data}.log").read()[before:])
        if match:
            return process, int(match.group(1))
        if process.poll() is not None:
            break
        time.sleep(0.05)
    sys.exit(f"alleycat serve did not start: {open(f'{data}.log').read()}")


def stop_serve(process):
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        return None


def new_key(data, name):
    out = subprocess.run([alleycat, "keys", "create", "--name", name, "--rate", "100000", "--burst", "100000", "--data", data, "--json"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["key"]


def get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except Exception as error:  # no answer at all
        return None, str(error)


def metric(port, name):
    status, text = get(port, "/metrics")
    for line in text.splitlines() if status == 200 else []:
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def kinesis(port, key, action, body):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/", data=json.dumps(body).encode(), method="POST",
        headers={"X-Amz-Target": f"Kinesis_20131202.{action}", "Content-Type": "application/x-amz-json-1.1", "x-api-key": key})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def query(data, *args):
    return subprocess.run([alleycat, *args, "--data", data, "--json"], capture_output=True, text=True).stdout


# 1. A race under a connection flood and a held store lock --------------------------------
faulty = f"{work}/faulty"
key = new_key(faulty, "faults")
serve, port = start_serve(faulty, "--max-connections", str(max_connections), "--reserve-connections", "16")
start_millis = (int(time.time()) + 2) * 1000
sim = subprocess.Popen(
    [simulator, "--endpoint", f"http://127.0.0.1:{port}", "--api-key", key, "--racers", str(racers), "--seconds", str(seconds),
     "--seed", "1", "--start", str(start_millis), "--speed", speed, "--json"],
    stdout=open(f"{work}/sim.json", "w"), stderr=open(f"{work}/sim.err", "w"))
while metric(port, "alleycat_records_in_total") == 0 and sim.poll() is None:
    time.sleep(0.1)

# 2. A second service on the same folder, while the first runs.
second = subprocess.run([alleycat, "serve", "--port", "0", "--data", faulty], capture_output=True, text=True, timeout=30)
check("a second serve on the data folder is refused", second.returncode == 1 and f"is in use by pid {serve.pid}" in second.stderr,
      second.stderr.strip().splitlines()[-1] if second.stderr.strip() else f"exit {second.returncode}")

flood = {"opened": 0, "refused": 0, "health": []}


def flooder():
    sockets, until = [], time.time() + 10
    while time.time() < until:
        sockets = [s for s in sockets if s.fileno() >= 0]
        while len(sockets) < 2 * max_connections + 50:
            try:
                sockets.append(socket.create_connection(("127.0.0.1", port), timeout=2))
                flood["opened"] += 1
            except OSError:
                flood["refused"] += 1
                break
        time.sleep(0.5)
        # Drop what the service closed (refused or timed out), so it is opened again.
        alive = []
        for s in sockets:
            s.setblocking(False)
            try:
                closed = s.recv(1, socket.MSG_PEEK) == b""
            except BlockingIOError:
                closed = False
            except OSError:
                closed = True
            if closed:
                s.close()
            else:
                alive.append(s)
        sockets = alive
    for s in sockets:
        s.close()


flood_thread = threading.Thread(target=flooder)
flood_thread.start()
time.sleep(1)
for _ in range(10):
    flood["health"].append(get(port, "/health")[0])
    time.sleep(0.8)
flood_thread.join()
check(f"/health answers during a flood of {2 * max_connections + 50} connections", all(status in (200, 503) for status in flood["health"]) and 200 in flood["health"],
      f"statuses {flood['health']}, {flood['opened']} flood connections opened")
details["flood"] = {"connections": 2 * max_connections + 50, "opened": flood["opened"], "healthStatuses": flood["health"]}

# The store's write lock, taken by another process from the first merge on.
while metric(port, "alleycat_merges_total") == 0 and sim.poll() is None:
    time.sleep(0.2)
locker = sqlite3.connect(f"{faulty}/alleycat.sqlite", timeout=30, isolation_level=None)
locker.execute("BEGIN IMMEDIATE")
locked_at, seen_failing, merges_before = time.time(), None, metric(port, "alleycat_merges_total")
while time.time() - locked_at < lock_seconds:
    status, text = get(port, "/health")
    if status == 503 and '"merger":{' in text and seen_failing is None:
        seen_failing = json.loads(text)["stages"]["merger"]
    time.sleep(0.5)
locker.execute("ROLLBACK")
locker.close()
check(f"a store locked {lock_seconds:g} s makes /health name the merger", seen_failing is not None,
      json.dumps(seen_failing) if seen_failing else "never seen failing (no merge during the lock?)")
healed = None
for _ in range(80):
    status, text = get(port, "/health")
    if status == 200:
        healed = time.time() - locked_at - lock_seconds
        break
    time.sleep(0.25)
check("the merger recovers by itself once the lock is gone", healed is not None, f"{healed:.1f} s after" if healed is not None else "")
details["storeLock"] = {"seconds": lock_seconds, "mergerWhileLocked": seen_failing, "healthyAfterSeconds": round(healed or -1, 1)}

sim.wait()
stop_serve(serve)
sim_summary = json.load(open(f"{work}/sim.json"))
clean = f"{work}/clean"
subprocess.run([alleycat, "race", "--racers", str(racers), "--seconds", str(seconds), "--seed", "1", "--start", str(start_millis),
                "--data", clean, "--json"], capture_output=True, check=True)

delivered = set()
for path in glob.glob(f"{faulty}/delivery/**/*.gz", recursive=True):
    if "/processing-failed/" not in path:
        for line in gzip.open(path, "rt"):
            record = json.loads(line)
            delivered.add((record["raceId"], record["racerId"], record["second"]))
check("every acknowledged record is in the delivered objects", sim_summary["lost"] == 0 and len(delivered) == sim_summary["accepted"],
      f"{sim_summary['accepted']} acknowledged, {len(delivered)} distinct delivered, {sim_summary['lost']} lost")
differences = []
for c in range(1, 7):
    def history(data):
        path = f"{data}/history/class-{c}.gz"
        return gzip.open(path).read() if os.path.exists(path) else b""
    if history(faulty) != history(clean):
        differences.append(f"history class-{c}.gz")
    for by in ("total", "best", "final"):
        args = ("leaderboard", "--class", str(c), "--by", by, "--limit", "100000")
        if query(faulty, *args) != query(clean, *args):
            differences.append(f"leaderboard class {c} by {by}")
    if query(faulty, "races", "--class", str(c)) != query(clean, "races", "--class", str(c)):
        differences.append(f"races of class {c}")
for race in sorted({r for r, _, _ in delivered}):
    if query(faulty, "results", "--race", str(race)) != query(clean, "results", "--race", str(race)):
        differences.append(f"results of race {race}")
check("history, leaderboards, races and results equal a clean run", not differences, ", ".join(differences) or "no difference")
details["race"] = {"racers": racers, "seconds": seconds, "acknowledged": sim_summary["accepted"], "differences": len(differences)}

# 4. A damaged history file, repaired by the command the refusal names --------------------
damaged_class = 2
path = f"{faulty}/history/class-{damaged_class}.gz"
with open(path, "r+b") as file:
    file.truncate(os.path.getsize(path) // 2)
refusal = subprocess.run([alleycat, "serve", "--port", "0", "--data", faulty], capture_output=True, text=True, timeout=60)
named = re.search(r"`(alleycat repair [^`]*)`", refusal.stderr)
check("a damaged history file is refused at start, naming a command", refusal.returncode == 1 and named is not None,
      refusal.stderr.strip().splitlines()[-1] if refusal.stderr.strip() else "")
if named:
    command = named.group(1).split()
    repaired = subprocess.run([f"{bin_dir}/{command[0]}", *command[1:]], capture_output=True, text=True)
    same = gzip.open(path).read() == gzip.open(f"{clean}/history/class-{damaged_class}.gz").read()
    check("the command named repairs it to equal the clean run", repaired.returncode == 0 and same, repaired.stdout.strip().splitlines()[0])
    restarted, restarted_port = start_serve(faulty)
    health_after = get(restarted_port, "/health")
    check("the service starts again after the repair", health_after[0] == 200, f"/health {health_after[0]}")
    stop_serve(restarted)

# 3. A full disk, then freed ----------------------------------------------------------------
mount = f"{work}/tmpfs"
os.makedirs(mount)
mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount], capture_output=True, text=True)
if mounted.returncode != 0:
    check("mount a tmpfs for the full-disk case (needs root)", False, mounted.stderr.strip())
else:
    try:
        data = f"{mount}/data"
        disk_key = new_key(data, "disk")
        disk_serve, disk_port = start_serve(data, "--stream-segment-kb", "256")
        stat = os.statvfs(mount)
        with open(f"{mount}/filler", "wb") as filler:
            filler.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - (400 << 10)))
        acknowledged, refused, number, full_health = set(), set(), 0, None
        while len(refused) < 200 and number < 20000:
            entries = [{"Data": base64.b64encode(f"rec-{number + i:06d}-".encode() + b"x" * 1000).decode(), "PartitionKey": f"k{i}"}
                       for i in range(100)]
            status, answer = kinesis(disk_port, disk_key, "PutRecords", {"StreamName": "alleycat", "Records": entries})
            for i, result in enumerate(answer.get("Records", [])):
                (refused if "ErrorCode" in result else acknowledged).add(f"rec-{number + i:06d}")
            number += 100
            if refused and full_health is None:
                full_health = get(disk_port, "/health")
        check("a full disk refuses puts per record and /health names the stream",
              refused and full_health and full_health[0] == 503 and '"stream":{"attempts"' in full_health[1],
              f"{len(acknowledged)} acknowledged, {len(refused)} refused")
        os.remove(f"{mount}/filler")
        freed, resumed = time.time(), None
        while time.time() - freed < 30:
            status, answer = kinesis(disk_port, disk_key, "PutRecords", {"StreamName": "alleycat", "Records": [
                {"Data": base64.b64encode(b"after-space").decode(), "PartitionKey": "k"}]})
            if answer.get("FailedRecordCount") == 0:
                resumed = time.time() - freed
                break
            time.sleep(0.1)
        check("writing resumes within 5 s of space returning", resumed is not None and resumed <= 5,
              f"{resumed:.2f} s" if resumed is not None else "not within 30 s")
        read = set()
        status, shards = kinesis(disk_port, disk_key, "ListShards", {"StreamName": "alleycat"})
        for shard in shards["Shards"]:
            _, iterator = kinesis(disk_port, disk_key, "GetShardIterator",
                                  {"StreamName": "alleycat", "ShardId": shard["ShardId"], "ShardIteratorType": "TRIM_HORIZON"})
            iterator = iterator["ShardIterator"]
            while iterator:
                _, page = kinesis(disk_port, disk_key, "GetRecords", {"ShardIterator": iterator, "Limit": 10000})
                read.update(base64.b64decode(r["Data"])[:10].decode() for r in page["Records"])
                iterator = page.get("NextShardIterator") if page["Records"] or page.get("MillisBehindLatest", 0) > 0 else None
        read.discard("after-spac")
        check("the stream reads back exactly the acknowledged records", read == acknowledged,
              f"{len(read)} read, {len(read & refused)} of them answered as failed")
        details["diskFull"] = {"acknowledged": len(acknowledged), "refused": len(refused), "resumedSeconds": round(resumed or -1, 2),
                               "readBack": len(read), "refusedReadBack": len(read & refused)}
        stop_serve(disk_serve)
    finally:
        subprocess.run(["umount", "-l", mount])

failed = [name for name, ok in checks if not ok]
print(json.dumps({"name": "fault-script", "value": len(failed), "unit": "failed checks",
                  "detail": {"checks": len(checks), "failed": failed, **details}}))
shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if failed else 0)
