export function ms(us: number): string {
  if (us >= 10_000_000) return (us / 1e6).toFixed(1) + " s";
  if (us >= 1_000_000) return (us / 1e6).toFixed(2) + " s";
  if (us >= 10_000) return Math.round(us / 1000) + " ms";
  return (us / 1000).toFixed(1) + " ms";
}

export function ago(tsMs: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - tsMs) / 1000));
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.round(s / 60) + " min ago";
  if (s < 86400) return Math.round(s / 3600) + " h ago";
  return Math.round(s / 86400) + " d ago";
}

export function when(tsMs: number): string {
  return new Date(tsMs).toLocaleString();
}

// The word and the class a result's outcome shows as.
export function health(outcome: string | undefined): { word: string; cls: string } {
  if (!outcome) return { word: "pending", cls: "pending" };
  if (outcome === "ok") return { word: "up", cls: "up" };
  return { word: "down", cls: "down" };
}
