"""Shared harness of the PyTorch peer benchmarks.

Mirrors src/bench: the same sizes, the same analytic byte and FLOP counts, warm-up runs then
timed repetitions, median / min / spread (median absolute deviation over the median), two
rotating input sets, a copy ceiling measured in the same run, and the same JSON shape, so
`synchgraph bench --compare peer.json` matches rows by name and size.

Timing on CUDA ("timestamps"): each repetition enqueues a batch of runs back to back between
one start and one end CUDA event and reports the batch's time over its runs. A single run
between two events would also time the launch latency: the GPU is idle after the previous
repetition's synchronisation, so the start event fires before Python has launched the first
kernel. The batch is sized after the warm-up (about BATCH_TARGET_MS of GPU time, at most
MAX_BATCH runs), so that latency is shared by many runs. Rows that time themselves by the host
clock (`wall`), and end-to-end rows (`runs` or `counted` given, one run per repetition) are not
batched. A row that raises (a torch.compile / Inductor failure, out of memory) is listed under
`failures` with its error, the CUDA cache is freed and the next row runs.
"""

import argparse
import datetime
import gc
import json
import math
import os
import platform
import statistics
import sys
import time

import torch

SOFTWARE_NOTE = "software adapter (e.g. lavapipe): these numbers prove correctness, not speed"
INPUT_SETS = 2
# GPU time a batch of back-to-back runs aims at, and the most runs in one batch (see above).
BATCH_TARGET_MS = 5.0
MAX_BATCH = 200
# A failure's error text is kept to this many characters in the report.
MAX_ERROR_CHARS = 2000


def seconds(text):
    """A --time-budget: a finite number of seconds, zero or more, as the engine's
    `bench::args::parse_seconds` takes it (NaN would never be spent, a negative budget would
    skip every row)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value >= 0.0):
        raise argparse.ArgumentTypeError(
            "takes a number of seconds, zero or more, not %r" % text)
    return value


def parse_args(description):
    """Flags shared by every peer script."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="small sizes, few repetitions")
    p.add_argument("--filter", default=None, help="run rows whose name or family contains this")
    p.add_argument("--exclude", default=None,
                   help="leave out rows whose name or family contains any of these words")
    p.add_argument("--json", default=None, help="write the report here")
    p.add_argument("--device", default="cuda", help="torch device (default cuda)")
    p.add_argument("--no-compile", action="store_true", help="skip the torch.compile rows")
    p.add_argument("--time-budget", type=seconds, default=None, metavar="SECONDS",
                   help="start no further row after this many seconds (the copy ceiling always "
                        "runs); with --json the report is also written after every row")
    return p.parse_args()


def count_text(n):
    """Same as src/bench/case.rs count_text: 64M, 512K or the plain number."""
    if n >= 1 << 20 and n % (1 << 20) == 0:
        return "%dM" % (n >> 20)
    if n >= 1 << 10 and n % (1 << 10) == 0:
        return "%dK" % (n >> 10)
    return str(n)


def prev_pow2(x):
    """Largest power of two not above x."""
    return 0 if x <= 0 else 1 << (x.bit_length() - 1)


class Sizes:
    """Same sizes as src/bench/case.rs Sizes::for_device (max_bytes plays max_binding_bytes)."""

    def __init__(self, quick, max_bytes=4 << 30):
        self.quick = quick
        if quick:
            self.elements = min(1 << 20, prev_pow2(max_bytes // 4))
            self.copy_bytes = min(16 << 20, prev_pow2(max_bytes))
            self.matmul = [256]
            self.warmup, self.repetitions = 2, 5
            self.neurons = 1 << 20
            self.stdp = 512
        else:
            self.elements = min(128 << 20, prev_pow2(max_bytes // 4))
            self.copy_bytes = min(1 << 30, prev_pow2(max_bytes))
            self.matmul = [1024, 2048, 4096]
            self.warmup, self.repetitions = 3, 20
            self.neurons = 16 << 20
            self.stdp = 4096


class Harness:
    """Collects rows; `case` times one workload."""

    def __init__(self, args, command=None):
        self.args = args
        self.device = torch.device(args.device)
        self.sizes = Sizes(args.quick)
        self.rows = []
        self.failures = []
        self.skipped = []
        self.started = time.perf_counter()
        self.command = command or " ".join(["python3"] + sys.argv)

    def budget_spent(self):
        """True once the run's --time-budget (if any) has passed."""
        budget = getattr(self.args, "time_budget", None)
        return budget is not None and time.perf_counter() - self.started >= budget

    def selected(self, name, family, ceiling=False):
        """Like the engine: several comma-separated words select the rows matching any, and
        --exclude leaves out the rows matching any of its words."""

        def matches(words):
            words = [w.strip() for w in words.lower().split(",") if w.strip()]
            return any(w in name.lower() or w in family for w in words)

        if ceiling:
            return True
        f, x = self.args.filter, getattr(self.args, "exclude", None)
        return (f is None or matches(f)) and not (x is not None and matches(x))

    def sync(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def batch_size(self, run, first):
        """Runs per repetition for a CUDA-event-timed kernel row: one probe run, timed alone
        (launch latency included, so an overestimate), sets a batch of about BATCH_TARGET_MS."""
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        run(first)
        end.record()
        end.synchronize()
        probe_ms = start.elapsed_time(end)
        if not probe_ms > 0:
            return MAX_BATCH
        return max(1, min(MAX_BATCH, int(math.ceil(BATCH_TARGET_MS / probe_ms))))

    def time_runs(self, run, runs=None, walls=None, wall=False, batch=True):
        """Warm-up, then per-repetition milliseconds per run: CUDA events around a batch of
        back-to-back runs (see the module docs; one run when not `batch`), or the wall clock on
        CPU or with `wall`, from the call of `run` to idle. `runs` = (warm-up, repetitions)
        overrides the mode's; `walls` (a list) receives each repetition's host wall seconds,
        start to idle. Returns (times, runs per repetition)."""
        warmup, repetitions = runs or (self.sizes.warmup, self.sizes.repetitions)
        for i in range(warmup):
            run(i)
        self.sync()
        events = self.device.type == "cuda" and not wall
        per_rep = self.batch_size(run, warmup) if events and batch else 1
        i = warmup + (1 if events and batch else 0)
        times = []
        for _ in range(repetitions):
            self.sync()
            t0 = time.perf_counter()
            if events:
                start = torch.cuda.Event(enable_timing=True)
                end = torch.cuda.Event(enable_timing=True)
                start.record()
                for _ in range(per_rep):
                    run(i)
                    i += 1
                end.record()
                end.synchronize()
                times.append(start.elapsed_time(end) / per_rep)
            else:
                run(i)
                i += 1
                self.sync()
                times.append((time.perf_counter() - t0) * 1e3)
            if walls is not None:
                walls.append(time.perf_counter() - t0)
        return times, per_rep

    def fail(self, name, size, error):
        """List a row that raised (`error`, its text), free what it held on the GPU, keep the
        partial report."""
        print("bench: %s failed: %s" % (name, error), file=sys.stderr)
        self.failures.append({"name": name, "size": size, "error": error})
        gc.collect()
        if self.device.type == "cuda":
            try:
                torch.cuda.synchronize(self.device)
            except Exception as e:  # a broken context: the next rows will say so too
                print("bench: synchronising after %s failed: %s" % (name, e), file=sys.stderr)
            try:
                torch.cuda.empty_cache()
            except Exception as e:
                print("bench: freeing the CUDA cache failed: %s" % e, file=sys.stderr)
        if self.args.json:
            self.write_json(self.report(complete=False))

    def case(self, name, family, size, nbytes, flops, run, bound="memory", ceiling=False,
             grad=False, runs=None, counted=None, wall=False, counts=None):
        """Time `run(i)` (i = run number, to rotate inputs) and add a row. Runs under
        torch.no_grad() unless `grad` (for workloads that call backward or autograd). `wall`
        times by the host clock even on CUDA (latency rows, and the rows compared with the
        engine's `--wall` run). End-to-end rows pass `runs` = (warm-up, repetitions) and
        `counted`, a function called after timing that returns (bytes, flops, {name: count})
        per timed run; the row then carries the engine's `metrics` (each count per run, per
        second, per wall second). Kernel rows may pass `counts`, fixed {name: count} per run
        outside `nbytes` (like the engine's `gathered_bytes`), reported per run and per second.
        An exception in the row is recorded under `failures` and the run goes on."""
        if not self.selected(name, family, ceiling):
            return
        if not ceiling and self.budget_spent():
            spent = time.perf_counter() - self.started
            reason = "time budget of %g s spent (%.1f s)" % (self.args.time_budget, spent)
            self.skipped.append({"name": name, "size": size, "reason": reason})
            return
        print("bench: %s (%s)" % (name, size), file=sys.stderr)
        walls = []
        error = None
        try:
            with _null() if grad else torch.no_grad():
                batch = runs is None and counted is None
                times, per_rep = self.time_runs(run, runs, walls, wall, batch)
            if counted is not None:
                nbytes, flops, counted_counts = counted()
        except Exception as e:  # one row's failure (compile, out of memory) ends only the row
            error = "%s: %s" % (type(e).__name__, e)
            if len(error) > MAX_ERROR_CHARS:  # Inductor errors can run to pages
                error = error[:MAX_ERROR_CHARS] + " ..."
        if error is not None:
            # Outside the handler, so the traceback's frames (and their tensors) are released.
            self.fail(name, size, error)
            return
        if per_rep > 1:
            print("bench: %s: %d runs per repetition" % (name, per_rep), file=sys.stderr)
        med = statistics.median(times)
        if not med > 0:
            # Below the timer's resolution: not a measurement the engine's reader accepts.
            self.skipped.append({"name": name, "size": size,
                                 "reason": "median time %r ms is below the timer's resolution" % med})
            return
        mad = statistics.median([abs(t - med) for t in times])
        secs = med / 1e3
        metrics = {}
        for k, v in (counts or {}).items():
            metrics[k] = v
            metrics[k + "_per_s"] = v / secs
        if counted is not None:
            wall_s = statistics.median(walls)
            for k, v in counted_counts.items():
                metrics[k] = v
                metrics[k + "_per_s"] = v / secs
                metrics[k + "_per_wall_s"] = v / wall_s
            metrics["wall_ms"] = wall_s * 1e3
        self.rows.append(
            {
                "name": name,
                "family": family,
                "size": size,
                "bytes": int(nbytes),
                "flops": int(flops),
                "bound": bound,
                "median_ms": med,
                "min_ms": min(times),
                "spread": mad / med if med > 0 else 0.0,
                "repetitions": len(times),
                "warmup": (runs or (self.sizes.warmup,))[0],
                "gbs": nbytes / secs / 1e9 if nbytes > 0 and secs > 0 else None,
                "gflops": flops / secs / 1e9 if flops > 0 and secs > 0 else None,
                "fraction": None,
                "timing": "timestamps" if self.device.type == "cuda" and not wall else "wall",
                "_ceiling": ceiling,
            }
        )
        if metrics:
            self.rows[-1]["metrics"] = metrics
        if self.args.json:
            self.write_json(self.report(complete=False))

    def write_json(self, rep):
        """Write the report through a temporary file and a rename."""
        tmp = "%s.%d.tmp" % (self.args.json, os.getpid())
        with open(tmp, "w") as f:
            json.dump(rep, f, indent=2)
            f.write("\n")
        os.replace(tmp, self.args.json)

    def copy_ceiling(self):
        """Bandwidth ceiling: one large device-to-device copy, bytes read plus written."""
        n = self.sizes.copy_bytes
        srcs = [torch.empty(n, dtype=torch.uint8, device=self.device) for _ in range(INPUT_SETS)]
        dst = torch.empty(n, dtype=torch.uint8, device=self.device)
        self.case(
            "copy",
            "ceiling",
            "%d MiB" % (n >> 20),
            2 * n,
            0,
            lambda i: dst.copy_(srcs[i % INPUT_SETS]),
            ceiling=True,
        )

    def report(self, mode_note=None, complete=True):
        """Fill fractions and return the report dictionary (the Rust BenchReport shape);
        `complete` is False for the reports written while rows are still being run."""
        bw = max((r["gbs"] for r in self.rows if r["_ceiling"] and r["gbs"]), default=None)
        cmp = max(
            (r["gflops"] for r in self.rows if r["family"] == "matmul" and r["gflops"]),
            default=None,
        )
        for r in self.rows:
            if r["bound"] == "memory" and r["gbs"] and bw:
                r["fraction"] = r["gbs"] / bw
            elif r["bound"] == "compute" and r["gflops"] and cmp:
                r["fraction"] = r["gflops"] / cmp
        rows = [{k: v for k, v in r.items() if k != "_ceiling"} for r in self.rows]
        cuda = self.device.type == "cuda"
        name = torch.cuda.get_device_name(self.device) if cuda else platform.processor() or "cpu"
        # The CUDA version only where the rows ran on CUDA (a CPU-only torch has none).
        driver = "torch %s" % torch.__version__
        if cuda:
            driver += ", CUDA %s" % torch.version.cuda
        return {
            "schema": 1,
            "adapter": {
                "name": name,
                "driver": driver + ("; " + mode_note if mode_note else ""),
                "backend": "cuda" if cuda else self.device.type,
                "device_type": "DiscreteGpu" if cuda else "Cpu",
                "software": False,
                "features": [],
            },
            "note": None,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "command": self.command,
            "mode": "quick" if self.args.quick else "full",
            "warmup": self.sizes.warmup,
            "ceilings": {"bandwidth_gbs": bw, "compute_gflops": cmp},
            "rows": rows,
            "failures": list(self.failures),
            "skipped": list(self.skipped),
            "complete": complete,
        }

    def finish(self, mode_note=None):
        """Print the table and write the JSON."""
        rep = self.report(mode_note)
        print("adapter: %s (%s)" % (rep["adapter"]["name"], rep["adapter"]["driver"]))
        print(
            "%-22s %-18s %10s %10s %7s %9s %9s %6s"
            % ("name", "size", "median ms", "min ms", "spread", "GB/s", "GFLOP/s", "frac")
        )
        fmt = lambda v, w, p: ("%*.*f" % (w, p, v)) if v is not None else "%*s" % (w, "-")
        for r in rep["rows"]:
            print(
                "%-22s %-18s %10.4f %10.4f %6.1f%% %s %s %s"
                % (
                    r["name"],
                    r["size"],
                    r["median_ms"],
                    r["min_ms"],
                    r["spread"] * 100,
                    fmt(r["gbs"], 9, 2),
                    fmt(r["gflops"], 9, 2),
                    fmt(r["fraction"], 6, 3),
                )
            )
            if r["fraction"] is not None and r["fraction"] > 1.0:
                # As the engine's table (report_table.rs): over the ceiling cannot be right.
                ceiling = "bandwidth" if r["bound"] == "memory" else "compute"
                print("    OVER CEILING: frac %.3f is above the %s ceiling of this run (work "
                      "miscounted, or served from a cache)" % (r["fraction"], ceiling))
        for x in rep["failures"]:
            print("%-22s %-18s FAILED: %s" % (x["name"], x["size"], x["error"]))
        for x in rep["skipped"]:
            print("%-22s %-18s SKIPPED: %s" % (x["name"], x["size"], x["reason"]))
        if self.args.json:
            self.write_json(rep)
            print("wrote %s" % self.args.json)
        return rep


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def normal_sets(shape, device, seed):
    """INPUT_SETS seeded normal tensors."""
    out = []
    for s in range(INPUT_SETS):
        g = torch.Generator(device=device).manual_seed(seed + s)
        out.append(torch.randn(shape, generator=g, device=device))
    return out


def random_indices(count, below, seed, device):
    """Same SplitMix64 stream as src/bench/cases_layout.rs random_indices, as a tensor."""
    return torch.tensor(random_index_list(count, below, seed), dtype=torch.int64, device=device)


def random_index_list(count, below, seed):
    """Same SplitMix64 stream as src/bench/cases_layout.rs random_indices, as a list."""
    mask = (1 << 64) - 1
    state = seed
    out = []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        out.append((z ^ (z >> 31)) % max(below, 1))
    return out


def maybe_compile(fn, enabled):
    """torch.compile(fn) when enabled and available, else None."""
    if not enabled or not hasattr(torch, "compile"):
        return None
    return torch.compile(fn)
