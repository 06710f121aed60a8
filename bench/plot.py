"""Plots sweep time against N from the benchmark's results (matplotlib, Agg backend).

    python bench/plot.py bench/work/results.json bench/sweep-time.png

Series: our sweep, the bare ListSecrets floor, the sweep's minimum calls made back to
back (the calls floor), Cloud Custodian's policy time and its whole process; a dotted
line shows what linear growth of our sweep from the smallest N would be. When the run
measured it (``paid_for``), the sweep and the bare listing under the emulator's latency
model (every request 25 ms) too. When it measured the organization audit
(``org_audit``), a second panel: its wall time against ``--concurrency``, beside the
ideal (one account-Region's audit x pairs / concurrency) and the emulator's floor (the
same audit without latency).
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen first)
from matplotlib.ticker import FuncFormatter  # noqa: E402


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def plot_org_audit(ax, org):
    """Wall time of ``audit --organization`` against the concurrency, with the ideal and
    the emulator's floor."""
    runs = org["runs"]
    concurrency = [r["concurrency"] for r in runs]
    pairs = org["accounts"] * org["regions"]
    single = median(org["single_ms"])
    ax.plot(concurrency, [median(r["wall_ms"]) / 1000.0 for r in runs], "o-", color="#1f77b4", linewidth=2.2,
            label="audit --organization, {:g} ms latency a request".format(org["latency_ms"]))
    ax.plot(concurrency, [single * pairs / c / 1000.0 for c in concurrency], "s--", color="#7f7f7f",
            label="ideal: one account-Region x {} / concurrency".format(pairs))
    if org.get("no_latency_ms"):
        floor = median(org["no_latency_ms"]) / 1000.0
        ax.axhline(floor, linestyle=":", color="#2ca02c", label="emulator floor: the same audit without latency")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(concurrency)
    ax.set_xticklabels([str(c) for c in concurrency])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: "{:g}".format(v)))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _pos: "{:g}".format(v)))
    ax.set_xlabel("--concurrency")
    ax.set_ylabel("seconds (median)")
    ax.set_title("audit --organization: {} accounts x {} Regions x {} secrets".format(
        org["accounts"], org["regions"], org["secrets_per_region"]))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper right", fontsize=9)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        results = json.load(f)
    estates = results["estates"]
    sizes = [e["n"] for e in estates]

    def series(get):
        points = [(e["n"], get(e)) for e in estates]
        return [n for n, v in points if v is not None], [v / 1000.0 for n, v in points if v is not None]

    org = results.get("org_audit")
    if org:
        fig, (ax, org_ax) = plt.subplots(1, 2, figsize=(15, 5.5), dpi=110, gridspec_kw={"width_ratios": [3, 2]})
    else:
        fig, ax = plt.subplots(figsize=(9, 5.5), dpi=110)
    ours_x, ours_y = series(lambda e: e["sweep_median_ms"])
    floor_x, floor_y = series(lambda e: e["floor_median_ms"])
    calls_x, calls_y = series(lambda e: e.get("calls_floor_median_ms"))
    c7n_x, c7n_y = series(lambda e: e["peer"].get("policy_median_ms"))
    c7n_wall_x, c7n_wall_y = series(lambda e: e["peer"].get("wall_median_ms"))

    ax.plot(ours_x, ours_y, "o-", color="#1f77b4", linewidth=2.2, label="secrets-cmk sweep (Lambda invocation)")
    ax.plot(floor_x, floor_y, "s--", color="#7f7f7f", label="floor: bare ListSecrets paging")
    if calls_x:
        ax.plot(calls_x, calls_y, "D:", color="#2ca02c", label="calls floor: the sweep's minimum calls back to back")
    if c7n_x:
        ax.plot(c7n_x, c7n_y, "^-", color="#d62728", linewidth=2.2, label="Cloud Custodian: policy time")
        ax.plot(c7n_wall_x, c7n_wall_y, "v:", color="#d62728", label="Cloud Custodian: whole process")
    paid = results.get("paid_for") or []
    if paid:
        latency = paid[0]["latency_ms"]
        paid_n = [p["n"] for p in paid]
        ax.plot(paid_n, [median(p["sweep_ms"]) / 1000.0 for p in paid], "o-", color="#9467bd", linewidth=2.2,
                label="secrets-cmk sweep, {:g} ms latency a request".format(latency))
        ax.plot(paid_n, [median(p["floor_ms"]) / 1000.0 for p in paid], "s--", color="#9467bd", alpha=0.7,
                label="bare ListSecrets, {:g} ms latency a request".format(latency))
    if ours_x:
        base_n, base_s = ours_x[0], ours_y[0]
        ax.plot(sizes, [base_s * n / base_n for n in sizes], ":", color="#1f77b4", alpha=0.6,
                label="linear from our N = {:,}".format(base_n))
    for x, y in zip(ours_x, ours_y):
        ax.annotate("{:.2f} s".format(y), (x, y), textcoords="offset points", xytext=(8, -12), color="#1f77b4")
    for x, y in zip(c7n_x, c7n_y):
        ax.annotate("{:.2f} s".format(y), (x, y), textcoords="offset points", xytext=(8, -14), color="#d62728")

    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: "{:g}".format(v)))
    ax.set_xlim(sizes[0] / 1.4, sizes[-1] * 1.6)
    ax.set_xticks(sizes)
    ax.set_xticklabels(["{:,}".format(n) for n in sizes])
    ax.set_xlabel("secrets in the account (N), {} keys".format(results.get("keys", "?")))
    ax.set_ylabel("seconds (median of {} runs)".format(results.get("runs", "?")))
    ax.set_title("Periodic sweep time against N (emulator on loopback, {})".format(results.get("date", "")[:10]))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    if org:
        plot_org_audit(org_ax, org)
    fig.tight_layout()
    fig.savefig(sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
