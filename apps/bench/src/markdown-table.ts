// Markdown tables and number formatting for the results file and the console.

export type Cell = string | number;

export function markdownTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const line = (cells: readonly Cell[]): string => `| ${cells.map((c) => String(c)).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A duration in ms: one decimal below 100, none above. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');
}

export function rate(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

export function ratio(numerator: number, denominator: number): string {
  if (!(denominator > 0) || !Number.isFinite(numerator)) return 'n/a';
  return `${(numerator / denominator).toFixed(2)}×`;
}

export function mb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}
