/** Markdown tables and number formats for bench reports. */

export type Cell = string | number;

export function table(header: readonly string[], rows: readonly (readonly Cell[])[], align: readonly ('l' | 'r')[] = []): string {
	const escape = (cell: Cell): string => String(cell).replace(/\|/g, '\\|');
	const line = (cells: readonly Cell[]): string => `| ${cells.map(escape).join(' | ')} |`;
	const rule = `|${header.map((_, i) => align[i] === 'r' ? '---:' : ':---').join('|')}|`;
	return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Milliseconds to a precision that the measurement has (performance.now() is coarsened to 0.1 ms). */
export function ms(value: number | undefined): string {
	if (value === undefined || !Number.isFinite(value)) return '–';
	return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
}

export function ratio(numerator: number, denominator: number): string {
	return denominator > 0 ? `${(numerator / denominator).toFixed(2)}×` : '–';
}

export function integer(value: number): string {
	return value.toLocaleString('en-US');
}
