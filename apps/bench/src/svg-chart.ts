// A tiny SVG chart writer (line charts with an optional log x axis, grouped bar
// charts), so the results need no chart dependency and render on GitHub.

interface Series {
  name: string;
  points: readonly { x: number; y: number }[];
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  logX?: boolean;
  logY?: boolean;
}

export interface BarChartOptions {
  title: string;
  yLabel: string;
  /** Group labels along the x axis. */
  groups: readonly string[];
  /** One bar per series in each group; values in group order. */
  series: readonly { name: string; values: readonly number[] }[];
}

const WIDTH = 720;
const HEIGHT = 420;
const PAD = { left: 80, right: 180, top: 40, bottom: 60 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function formatTick(value: number): string {
  if (value >= 1000) return `${Math.round(value).toLocaleString('en-US')}`;
  if (value >= 10 || Number.isInteger(value)) return String(Math.round(value * 10) / 10);
  return value.toPrecision(2);
}

function frame(title: string, xLabel: string, yLabel: string, body: string[]): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2 - PAD.right / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${PAD.left + plotW}" y2="${PAD.top + plotH}" stroke="black"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + plotH}" stroke="black"/>`,
    `<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 15}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text x="18" y="${PAD.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 18 ${PAD.top + plotH / 2})">${escapeXml(yLabel)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function legend(names: readonly string[]): string[] {
  const x = WIDTH - PAD.right + 15;
  return names.flatMap((name, index) => {
    const y = PAD.top + 10 + index * 20;
    const colour = COLOURS[index % COLOURS.length]!;
    return [
      `<rect x="${x}" y="${y - 9}" width="12" height="12" fill="${colour}"/>`,
      `<text x="${x + 18}" y="${y + 2}">${escapeXml(name)}</text>`,
    ];
  });
}

/** A line chart; with `logX`/`logY` the axis is logarithmic (values must be positive). */
export function lineChart(options: LineChartOptions): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const all = options.series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const tx = (v: number): number => (options.logX === true ? Math.log10(Math.max(v, 1e-9)) : v);
  const ty = (v: number): number => (options.logY === true ? Math.log10(Math.max(v, 0.1)) : v);
  const xMin = options.logX === true ? Math.min(...xs.map(tx)) : 0;
  const xMax = Math.max(...xs.map(tx), xMin + 1e-9);
  const yMin = options.logY === true ? Math.floor(Math.min(...ys.map(ty), 0)) : 0;
  const yMax =
    options.logY === true ? Math.ceil(Math.max(...ys.map(ty), yMin + 1)) : niceMax(Math.max(...ys));
  const px = (v: number): number => PAD.left + ((tx(v) - xMin) / (xMax - xMin || 1)) * plotW;
  const py = (v: number): number => PAD.top + plotH - ((ty(v) - yMin) / (yMax - yMin || 1)) * plotH;
  const body: string[] = [];
  const yTicks =
    options.logY === true
      ? Array.from({ length: yMax - yMin + 1 }, (_, i) => 10 ** (yMin + i))
      : Array.from({ length: 6 }, (_, i) => (yMax * i) / 5);
  for (const tick of yTicks) {
    const y = py(tick);
    body.push(
      `<line x1="${PAD.left}" y1="${y}" x2="${PAD.left + plotW}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${formatTick(tick)}</text>`,
    );
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    body.push(`<text x="${px(x)}" y="${PAD.top + plotH + 18}" text-anchor="middle">${formatTick(x)}</text>`);
  }
  options.series.forEach((series, index) => {
    const colour = COLOURS[index % COLOURS.length]!;
    const points = [...series.points].sort((a, b) => a.x - b.x);
    body.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points
        .map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`)
        .join(' ')}"/>`,
      ...points.map(
        (p) => `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3.5" fill="${colour}"/>`,
      ),
    );
  });
  body.push(...legend(options.series.map((s) => s.name)));
  return frame(options.title, options.xLabel, options.yLabel, body);
}

/** A grouped bar chart with a linear y axis from zero. */
export function barChart(options: BarChartOptions): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const values = options.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  const yMax = niceMax(Math.max(0, ...values));
  const py = (v: number): number => PAD.top + plotH - (v / yMax) * plotH;
  const body: string[] = [];
  for (let i = 0; i <= 5; i += 1) {
    const tick = (yMax * i) / 5;
    const y = py(tick);
    body.push(
      `<line x1="${PAD.left}" y1="${y}" x2="${PAD.left + plotW}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${formatTick(tick)}</text>`,
    );
  }
  const groupW = plotW / Math.max(1, options.groups.length);
  const barW = (groupW * 0.8) / Math.max(1, options.series.length);
  options.groups.forEach((group, g) => {
    const x0 = PAD.left + g * groupW + groupW * 0.1;
    body.push(
      `<text x="${PAD.left + g * groupW + groupW / 2}" y="${PAD.top + plotH + 18}" text-anchor="middle">${escapeXml(group)}</text>`,
    );
    options.series.forEach((series, s) => {
      const value = series.values[g] ?? 0;
      const v = Number.isFinite(value) ? value : 0;
      body.push(
        `<rect class="bar" x="${(x0 + s * barW).toFixed(1)}" y="${py(v).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(PAD.top + plotH - py(v)).toFixed(1)}" fill="${COLOURS[s % COLOURS.length]!}"/>`,
      );
    });
  });
  body.push(...legend(options.series.map((s) => s.name)));
  return frame(options.title, '', options.yLabel, body);
}
