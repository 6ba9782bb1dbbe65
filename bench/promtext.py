"""Prometheus text exposition (0.0.4) for the benchmarks: parsing /metrics,
summing series, and histogram maths (deltas between scrapes, quantiles as
Prometheus's histogram_quantile computes them). Python 3 stdlib only."""

import math
import re

from benchlib import BenchError

_SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?[0-9]+)?$")
_LABEL_RE = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)')
_UNESCAPE = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}


def parse_metrics(text):
    """Prometheus text exposition (0.0.4) -> {(name, ((label, value), ...)): float},
    labels sorted. Comments and blank lines are skipped; anything else that is
    not a sample is an error."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE_RE.match(line)
        if not m:
            raise BenchError("unparsable /metrics line: %r" % line[:200])
        name, labels_text, value = m.groups()
        pairs = []
        pos = 0
        labels_text = labels_text or ""
        while pos < len(labels_text):
            lm = _LABEL_RE.match(labels_text, pos)
            if not lm or lm.end() == pos:
                raise BenchError("unparsable labels in /metrics line: %r" % line[:200])
            pairs.append((lm.group(1), re.sub(r'\\[\\"n]', lambda e: _UNESCAPE[e.group(0)],
                                              lm.group(2))))
            pos = lm.end()
        try:
            out[(name, tuple(sorted(pairs)))] = float(value)
        except ValueError:
            raise BenchError("unparsable value in /metrics line: %r" % line[:200]) from None
    return out


def metric_sum(metrics, name, **match):
    """Sum of the series of `name` whose labels include `match`; None when
    there is no such series."""
    values = [v for (n, labels), v in metrics.items()
              if n == name and all(dict(labels).get(k) == want for k, want in match.items())]
    return sum(values) if values else None


def metric_first(metrics, candidates):
    """The first of candidates [(name, {labels})] that the server exposes, as
    (value, "name{labels}"); (None, None) when none is."""
    for name, match in candidates:
        v = metric_sum(metrics, name, **match)
        if v is not None:
            shown = name + ("{%s}" % ",".join('%s="%s"' % kv for kv in sorted(match.items()))
                            if match else "")
            return v, shown
    return None, None


def histogram_buckets(metrics, name):
    """[(upper bound, cumulative count)] of histogram `name`, by bound, +Inf last."""
    out = []
    for (n, labels), v in metrics.items():
        if n == name + "_bucket":
            le = dict(labels).get("le")
            if le is not None:
                out.append((float(le), v))
    return sorted(out)


def histogram_delta(before, after, name):
    """The buckets of what was observed between two scrapes."""
    b0 = dict(histogram_buckets(before, name))
    return [(le, c - b0.get(le, 0.0)) for le, c in histogram_buckets(after, name)]


def histogram_quantile(buckets, q):
    """Prometheus's histogram_quantile: the rank q * total falls in some bucket,
    and the answer interpolates linearly between that bucket's bounds (the
    first bucket's lower bound is 0). Bucket resolution: the true value is
    somewhere in (lo, hi]. Returns {"value", "lo", "hi"}, value None when the
    histogram is empty; in the +Inf bucket the value is its lower bound."""
    if not buckets or buckets[-1][1] <= 0:
        return {"value": None, "lo": None, "hi": None}
    total = buckets[-1][1]
    rank = q * total
    prev_le, prev_c = 0.0, 0.0
    for le, c in buckets:
        if c >= rank and c > prev_c:
            if math.isinf(le):
                return {"value": prev_le, "lo": prev_le, "hi": le}
            value = prev_le + (le - prev_le) * (rank - prev_c) / (c - prev_c)
            return {"value": value, "lo": prev_le, "hi": le}
        prev_le, prev_c = le, c
    return {"value": prev_le, "lo": prev_le, "hi": math.inf}


def share_at_most(buckets, bound):
    """Share of observations <= bound, exact when bound is a bucket bound;
    None when it is not, or the histogram is empty."""
    if not buckets or buckets[-1][1] <= 0:
        return None
    for le, c in buckets:
        if le == bound:
            return c / buckets[-1][1]
    return None


