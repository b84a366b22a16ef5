/**
 * Recognized tables (OCR API `table` model) as text: a Markdown table, CSV or TSV, of the whole
 * table or of a rectangle of it. No DOM and no `vscode`: the panel and the extension both use it.
 *
 * Merged cells: none of the three formats can merge, so a merged cell's text goes in the first
 * grid position it covers (its top-left, or the top-left of the part inside the rectangle) and
 * the other positions it covers are left empty. Repeating the text instead would double counts
 * and sums once the table is pasted into a spreadsheet.
 */
import type { Table, TableCell } from './types';

export const TABLE_FORMATS = ['markdown', 'csv', 'tsv'] as const;
export type TableFormat = typeof TABLE_FORMATS[number];

export function isTableFormat(value: unknown): value is TableFormat {
	return typeof value === 'string' && (TABLE_FORMATS as readonly string[]).includes(value);
}

/** Grid positions, inclusive, in rows and columns. */
export interface TableRange {
	top: number;
	left: number;
	bottom: number;
	right: number;
}

/**
 * Which cell covers each grid position: `grid[row][column]` is an index into `table.cells`, or -1
 * where no cell was recognized. A cell that would overlap an earlier one keeps only the positions
 * still free; spans are clipped to the table.
 */
export function tableGrid(table: Table): number[][] {
	const rows = Math.max(0, Math.floor(table.rowCount));
	const columns = Math.max(0, Math.floor(table.columnCount));
	const grid = Array.from({ length: rows }, () => new Array<number>(columns).fill(-1));
	table.cells.forEach((cell, index) => {
		const { top, left, bottom, right } = cellRange(cell);
		for (let r = Math.max(0, top); r <= Math.min(rows - 1, bottom); r++) {
			for (let c = Math.max(0, left); c <= Math.min(columns - 1, right); c++) {
				if (grid[r][c] === -1) grid[r][c] = index;
			}
		}
	});
	return grid;
}

/** The grid positions a cell covers; spans under 1 count as 1. */
export function cellRange(cell: TableCell): TableRange {
	const rowSpan = Math.max(1, Math.floor(cell.rowSpan) || 1);
	const columnSpan = Math.max(1, Math.floor(cell.columnSpan) || 1);
	return { top: cell.rowIndex, left: cell.columnIndex, bottom: cell.rowIndex + rowSpan - 1, right: cell.columnIndex + columnSpan - 1 };
}

/** The whole table. */
export function fullRange(table: Table): TableRange {
	return { top: 0, left: 0, bottom: Math.max(0, table.rowCount - 1), right: Math.max(0, table.columnCount - 1) };
}

/** The rectangle spanned by two positions, grown until no merged cell sticks out of it (as spreadsheets select). */
export function rangeBetween(grid: readonly (readonly number[])[], cells: readonly TableCell[], a: { row: number; column: number }, b: { row: number; column: number }): TableRange {
	const range: TableRange = {
		top: Math.min(a.row, b.row),
		left: Math.min(a.column, b.column),
		bottom: Math.max(a.row, b.row),
		right: Math.max(a.column, b.column),
	};
	for (let grown = true; grown;) {
		grown = false;
		for (const index of cellsIn(grid, range)) {
			const cell = cellRange(cells[index]);
			const next = {
				top: Math.min(range.top, cell.top),
				left: Math.min(range.left, cell.left),
				bottom: Math.max(range.bottom, cell.bottom),
				right: Math.max(range.right, cell.right),
			};
			if (next.top !== range.top || next.left !== range.left || next.bottom !== range.bottom || next.right !== range.right) {
				Object.assign(range, next);
				grown = true;
			}
		}
	}
	return clip(range, grid.length, grid[0]?.length ?? 0);
}

/** Indexes of the cells that cover any position of `range`, in row-major order of their first position. */
export function cellsIn(grid: readonly (readonly number[])[], range: TableRange): number[] {
	const seen = new Set<number>();
	for (let r = Math.max(0, range.top); r <= Math.min(grid.length - 1, range.bottom); r++) {
		for (let c = Math.max(0, range.left); c <= Math.min(grid[r].length - 1, range.right); c++) {
			if (grid[r][c] !== -1) seen.add(grid[r][c]);
		}
	}
	return [...seen];
}

/**
 * The text of each grid position of `range`, row by row: a cell's text at the first position of
 * it inside the range, '' elsewhere (see the module comment).
 */
export function tableRows(table: Table, range: TableRange = fullRange(table)): string[][] {
	const grid = tableGrid(table);
	const placed = new Set<number>();
	const rows: string[][] = [];
	const r0 = Math.max(0, range.top);
	const r1 = Math.min(grid.length - 1, range.bottom);
	for (let r = r0; r <= r1; r++) {
		const row: string[] = [];
		for (let c = Math.max(0, range.left); c <= Math.min(grid[r].length - 1, range.right); c++) {
			const index = grid[r][c];
			if (index === -1 || placed.has(index)) {
				row.push('');
			} else {
				placed.add(index);
				row.push(table.cells[index].text);
			}
		}
		rows.push(row);
	}
	return rows;
}

export function formatTable(table: Table, format: TableFormat, range?: TableRange): string {
	const rows = tableRows(table, range);
	switch (format) {
		case 'markdown':
			return markdownTable(rows);
		case 'csv':
			return csvTable(rows);
		case 'tsv':
			return tsvTable(rows);
	}
}

/**
 * A GitHub Flavored Markdown table; its first row is the header row (GFM requires one). Cell
 * text is escaped as recognized text is elsewhere (`|`, `\`, emphasis, links, HTML, math all
 * show as typed), and a line break inside a cell becomes `<br>`, the one way GFM allows.
 * Ends with a newline; '' for no rows.
 */
export function markdownTable(rows: readonly (readonly string[])[]): string {
	if (rows.length === 0 || rows[0].length === 0) return '';
	const line = (cells: readonly string[]): string => `| ${cells.map(markdownCell).join(' | ')} |`;
	const delimiter = `| ${rows[0].map(() => '---').join(' | ')} |`;
	return `${[line(rows[0]), delimiter, ...rows.slice(1).map(line)].join('\n')}\n`;
}

function markdownCell(text: string): string {
	return text
		.split(/\r\n|\r|\n/)
		.map(part => part.replace(/[\t ]+/g, ' ').trim().replace(/[\\`*_[\]<>&|~$]/g, '\\$&'))
		.filter(part => part !== '')
		.join('<br>');
}

/**
 * RFC 4180: fields separated by commas, records ended by CRLF; a field holding a quote, comma,
 * semicolon (a separator in some locales' spreadsheets) or line break is quoted, quotes doubled.
 * A field that starts like a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading `'` and is
 * quoted, as in the batch export, so that a spreadsheet shows it instead of running it.
 */
export function csvTable(rows: readonly (readonly string[])[]): string {
	return rows.map(row => `${row.map(csvField).join(',')}\r\n`).join('');
}

export function csvField(value: string): string {
	const guarded = formulaGuard(value);
	return guarded !== value || /[",;\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/**
 * Tab-separated values as spreadsheets paste them: tabs between fields, '\n' after each record;
 * tabs and line breaks inside a cell become spaces (TSV has no quoting), and the same formula
 * guard as CSV applies, since pasting is where a formula would run.
 */
export function tsvTable(rows: readonly (readonly string[])[]): string {
	return rows.map(row => `${row.map(tsvField).join('\t')}\n`).join('');
}

export function tsvField(value: string): string {
	return formulaGuard(value.replace(/\r\n|[\t\r\n]/g, ' '));
}

function formulaGuard(value: string): string {
	return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function clip(range: TableRange, rows: number, columns: number): TableRange {
	return {
		top: Math.max(0, range.top),
		left: Math.max(0, range.left),
		bottom: Math.min(rows - 1, range.bottom),
		right: Math.min(columns - 1, range.right),
	};
}
