/**
 * lag.svg: the standby's heartbeat lag over time (in a star one line per standby, each named in the
 * legend), with one vertical marker per fault (named), as a small self-contained SVG that opens in any
 * browser or image viewer, independent of GitHub's Mermaid support.
 */
import { niceCeil } from "./chart.js";
import { fmtInt, timeOrigin } from "./format.js";
import type { DrillReport } from "./model.js";
import { redact } from "./redact.js";
import { xmlAttr, xmlText } from "./xml.js";

export const LAG_SVG = "lag.svg";
/** More points than pixels only adds bytes. */
export const MAX_SVG_POINTS = 600;
/** Beyond this many faults the markers merge into a solid band; the rest are counted in a note. */
export const MAX_SVG_FAULTS = 200;

const W = 900;
const H = 320;
const M = { left: 64, right: 20, top: 28, bottom: 44 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

/** Keep the maximum of each of `max` time buckets: downsampling must not hide a lag spike. */
function downsample(series: ReadonlyArray<{ t: number; lagMs: number }>, max: number) {
  if (series.length <= max) return [...series].sort((a, b) => a.t - b.t);
  const sorted = [...series].sort((a, b) => a.t - b.t);
  const first = sorted[0]?.t ?? 0;
  const span = Math.max(1, (sorted[sorted.length - 1]?.t ?? first) - first);
  const buckets = new Map<number, { t: number; lagMs: number }>();
  for (const p of sorted) {
    const b = Math.min(max - 1, Math.floor(((p.t - first) / span) * max));
    const cur = buckets.get(b);
    if (!cur || p.lagMs > cur.lagMs) buckets.set(b, p);
  }
  return [...buckets.values()].sort((a, b) => a.t - b.t);
}

/** Round tick step (1, 2, 5 x 10^k) giving about `count` ticks over `span`. */
function tickStep(span: number, count: number): number {
  const raw = span / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

const f1 = (v: number) => v.toFixed(1);

/** A star's standbys in turn (the first in the pair's blue); Milvus's lag metric keeps its purple. */
const STANDBY_COLOURS = ["#0366d6", "#28a745", "#e36209", "#b31d28"];

export function renderLagSvg(report: DrillReport, secrets: readonly string[] = []): string {
  // The heartbeat lag lines: a star's one per standby (named), a pair's one (unnamed).
  const star = Object.entries(report.metrics.standbys ?? {});
  const lines: Array<{ id: string | null; colour: string; series: ReturnType<typeof downsample> }> =
    star.length > 0
      ? star.map(([id, s], i) => ({
          id,
          colour: STANDBY_COLOURS[i % STANDBY_COLOURS.length] as string,
          series: downsample(s.lagSeries, MAX_SVG_POINTS),
        }))
      : [
          {
            id: null,
            colour: STANDBY_COLOURS[0] as string,
            series: downsample(report.metrics.lagSeries ?? [], MAX_SVG_POINTS),
          },
        ];
  const metricSeries = downsample(report.metrics.lagMetricSeries ?? [], MAX_SVG_POINTS);
  const faults = [...(report.metrics.faults ?? [])].sort((a, b) => a.startedAt - b.startedAt);
  const slo = report.metrics.lag?.sloMs;
  const origin = timeOrigin(report);
  let end = origin;
  for (const l of lines) for (const p of l.series) end = Math.max(end, p.t);
  for (const p of metricSeries) end = Math.max(end, p.t);
  for (const f of faults) end = Math.max(end, f.startedAt, f.endedAt ?? f.startedAt);
  const steps = report.steps ?? [];
  for (const st of steps) end = Math.max(end, st.startedAt + st.durationMs);
  const spanMs = Math.max(1000, end - origin);
  // Scaled to the data and to the SLO, so the SLO line is always inside the plot.
  const yTop = niceCeil(
    Math.max(
      1,
      slo ?? 0,
      ...lines.flatMap((l) => l.series.map((p) => p.lagMs)),
      ...metricSeries.map((p) => p.lagMs),
    ),
  );
  const x = (t: number) => M.left + ((t - origin) / spanMs) * PW;
  const y = (v: number) => M.top + PH - (Math.max(0, v) / yTop) * PH;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    "<title>Standby heartbeat lag over time, with faults marked</title>",
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="16" font-size="13" font-weight="bold">Standby lag (ms) — seed ${xmlText(String(report.seed ?? "n/a"))}, backend ${xmlText(report.backend.name)}</text>`,
  ];

  // Axes and ticks.
  out.push(`<g class="axes" stroke="#444" fill="none">`);
  out.push(`<line x1="${M.left}" y1="${M.top + PH}" x2="${M.left + PW}" y2="${M.top + PH}"/>`);
  out.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + PH}"/>`);
  out.push("</g>");
  out.push(`<g class="ticks" fill="#444">`);
  const yStep = tickStep(yTop, 5);
  for (let v = 0; v <= yTop + 1e-9; v += yStep) {
    out.push(
      `<line x1="${M.left - 4}" y1="${f1(y(v))}" x2="${M.left}" y2="${f1(y(v))}" stroke="#444"/>`,
      `<line x1="${M.left}" y1="${f1(y(v))}" x2="${M.left + PW}" y2="${f1(y(v))}" stroke="#eee"/>`,
      `<text x="${M.left - 6}" y="${f1(y(v) + 4)}" text-anchor="end">${fmtInt(v)}</text>`,
    );
  }
  const xStepMs = tickStep(spanMs / 1000, 8) * 1000;
  for (let t = 0; t <= spanMs + 1e-9; t += xStepMs) {
    const px = f1(x(origin + t));
    out.push(
      `<line x1="${px}" y1="${M.top + PH}" x2="${px}" y2="${M.top + PH + 4}" stroke="#444"/>`,
      `<text x="${px}" y="${M.top + PH + 16}" text-anchor="middle">${Number((t / 1000).toFixed(3))}</text>`,
    );
  }
  out.push(
    `<text x="${M.left + PW / 2}" y="${H - 6}" text-anchor="middle">time since first sample (s)</text>`,
  );
  out.push(
    `<text x="14" y="${M.top + PH / 2}" text-anchor="middle" transform="rotate(-90 14 ${M.top + PH / 2})">lag (ms)</text>`,
  );
  out.push("</g>");

  // Faults under the line, so the line stays readable.
  const drawn = faults.slice(0, MAX_SVG_FAULTS);
  for (const f of drawn) {
    const xs = x(f.startedAt);
    const parts = [
      `<g class="fault" data-fault-id="${xmlAttr(String(f.id))}" data-fault="${xmlAttr(f.name)}">`,
    ];
    if (f.endedAt !== null && f.endedAt > f.startedAt) {
      parts.push(
        `<rect x="${f1(xs)}" y="${M.top}" width="${f1(Math.max(1, x(f.endedAt) - xs))}" height="${PH}" fill="#d73a49" fill-opacity="0.10"/>`,
      );
    }
    parts.push(
      `<line x1="${f1(xs)}" y1="${M.top}" x2="${f1(xs)}" y2="${M.top + PH}" stroke="#d73a49" stroke-width="1.5" stroke-dasharray="4 3"/>`,
      `<text x="${f1(xs + 3)}" y="${M.top + 4}" fill="#d73a49" transform="rotate(90 ${f1(xs + 3)} ${M.top + 4})">${xmlText(`${f.name} #${f.id}`)}</text>`,
      "</g>",
    );
    out.push(parts.join(""));
  }
  if (faults.length > drawn.length) {
    out.push(
      `<text class="note" x="${M.left + PW}" y="16" text-anchor="end" fill="#d73a49">${fmtInt(faults.length - drawn.length)} more faults not drawn</text>`,
    );
  }

  if (slo !== undefined) {
    out.push(
      `<g class="slo"><line x1="${M.left}" y1="${f1(y(slo))}" x2="${M.left + PW}" y2="${f1(y(slo))}" stroke="#e36209" stroke-width="1.2" stroke-dasharray="6 4"/>`,
      `<text x="${M.left + PW - 4}" y="${f1(y(slo) - 4)}" text-anchor="end" fill="#e36209">SLO ${xmlText(fmtInt(slo))} ms</text></g>`,
    );
  }
  // Role-change steps: a solid green marker each, labelled low so fault labels stay readable.
  for (const st of steps) {
    const xs = x(st.startedAt);
    out.push(
      `<g class="step" data-step="${xmlAttr(st.name)}"><line x1="${f1(xs)}" y1="${M.top}" x2="${f1(xs)}" y2="${M.top + PH}" stroke="#22863a" stroke-width="1.5"/><text x="${f1(xs + 3)}" y="${M.top + PH - 4}" fill="#22863a" transform="rotate(-90 ${f1(xs + 3)} ${M.top + PH - 4})">${xmlText(st.name)}</text></g>`,
    );
  }

  // Milvus's own lag metric under the heartbeat line: where the two part, an alert would lie.
  if (metricSeries.length > 0) {
    const pts = metricSeries.map((p) => `${f1(x(p.t))},${f1(y(p.lagMs))}`).join(" ");
    out.push(
      `<polyline class="lag-metric" fill="none" stroke="#6f42c1" stroke-width="1.5" stroke-dasharray="3 2" points="${pts}"/>`,
      `<g class="legend"><line x1="${M.left + PW - 250}" y1="${M.top + 8}" x2="${M.left + PW - 230}" y2="${M.top + 8}" stroke="#0366d6" stroke-width="1.5"/><text x="${M.left + PW - 226}" y="${M.top + 12}">heartbeat lag</text><line x1="${M.left + PW - 140}" y1="${M.top + 8}" x2="${M.left + PW - 120}" y2="${M.top + 8}" stroke="#6f42c1" stroke-width="1.5" stroke-dasharray="3 2"/><text x="${M.left + PW - 116}" y="${M.top + 12}">Milvus lag metric</text></g>`,
    );
  }
  for (const l of lines) {
    if (l.series.length === 0) continue;
    const pts = l.series.map((p) => `${f1(x(p.t))},${f1(y(p.lagMs))}`).join(" ");
    const named = l.id === null ? "" : ` data-standby="${xmlAttr(l.id)}"`;
    out.push(
      `<polyline class="lag"${named} fill="none" stroke="${l.colour}" stroke-width="1.5" points="${pts}"/>`,
    );
  }
  if (star.length > 0) {
    // A star's lines named in a legend, below the lag metric's when there is one (it sits top right).
    const ly = M.top + (metricSeries.length > 0 ? 24 : 8);
    const legend = lines.map((l, i) => {
      const lx = M.left + 8 + i * 170;
      return `<line x1="${lx}" y1="${ly}" x2="${lx + 20}" y2="${ly}" stroke="${l.colour}" stroke-width="1.5"/><text x="${lx + 24}" y="${ly + 4}">${xmlText(l.id ?? "")}</text>`;
    });
    out.push(`<g class="legend standbys">${legend.join("")}</g>`);
  }
  if (lines.every((l) => l.series.length === 0)) {
    out.push(
      `<text class="note" x="${M.left + PW / 2}" y="${M.top + PH / 2}" text-anchor="middle" fill="#666">no heartbeat lag samples were recorded</text>`,
    );
  }
  out.push("</svg>", "");
  return redact(out.join("\n"), secrets);
}
