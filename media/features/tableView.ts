/**
 * Recognized tables as HTML tables, cell for cell with the service's spans, kept in step with the
 * cells drawn on the image: hovering either highlights both, and a rectangle of cells selected by
 * click, Shift+click, drag or the arrow keys is copied or inserted as a Markdown table, CSV or TSV.
 * Cell text is data: it goes in with textContent only.
 */
import { cellRange, cellsIn, formatTable, rangeBetween, tableGrid, TABLE_FORMATS, type TableFormat, type TableRange } from '../../src/results/tables';
import type { Table } from '../../src/results/types';
import type { WebviewStringKey } from '../../src/shared/strings';
import { h } from '../dom';
import type { Localizer } from '../l10n';
import type { TableRef } from '../text/ocrView';
import type { Overlay } from '../viewer/overlay';

const FORMAT_LABELS: Readonly<Record<TableFormat, WebviewStringKey>> = {
	markdown: 'table.format.markdown',
	csv: 'table.format.csv',
	tsv: 'table.format.tsv',
};

export interface TablesOptions {
	tables: readonly TableRef[];
	/** The image's overlay; a PDF's appears once its pages are measured. */
	overlay(): Overlay | undefined;
	/** The element around the overlay, whose pointer events reach the cells on the image. */
	stage: HTMLElement;
	format: { get(): TableFormat; set(format: TableFormat): void };
	/** `from`: the button used, which a question about the text is shown next to. */
	insertText(text: string, from: HTMLElement): void;
	copyText(text: string, from: HTMLElement): void;
	l10n: Localizer;
	signal: AbortSignal;
}

interface Position {
	row: number;
	column: number;
}

export function tablesView(o: TablesOptions): HTMLElement {
	const { signal } = o;
	const views = o.tables.map((ref, t) => new TableView(ref.table, t, o));
	const element = h('div', { class: 'tables' }, ...views.map(v => v.element));
	const syncFormats = (format: TableFormat): void => {
		o.format.set(format);
		for (const select of element.querySelectorAll<HTMLSelectElement>('select.table-format')) select.value = format;
	};
	element.addEventListener('change', e => {
		const target = e.target;
		if (target instanceof HTMLSelectElement && target.classList.contains('table-format')) {
			const format = TABLE_FORMATS.find(f => f === target.value);
			if (format) syncFormats(format);
		}
	}, { signal });

	// The image: the cell under the pointer, also beneath a word, which is drawn over the cells.
	const cellAt = (e: PointerEvent): { table: number; cell: number } | undefined => {
		for (const hit of document.elementsFromPoint(e.clientX, e.clientY)) {
			if (!(hit instanceof SVGElement) || !hit.classList.contains('cell')) continue;
			const table = Number(hit.getAttribute('data-table'));
			const cell = Number(hit.getAttribute('data-cell'));
			if (Number.isInteger(table) && Number.isInteger(cell) && views[table]) return { table, cell };
		}
		return undefined;
	};
	let hoveredTable: number | undefined;
	const hoverFromImage = (hit: { table: number; cell: number } | undefined): void => {
		if (hoveredTable !== undefined && hoveredTable !== hit?.table) views[hoveredTable]?.hover(undefined);
		hoveredTable = hit?.table;
		if (hit) views[hit.table].hover(hit.cell);
	};
	o.stage.addEventListener('pointermove', e => hoverFromImage(cellAt(e)), { signal, passive: true });
	o.stage.addEventListener('pointerleave', () => hoverFromImage(undefined), { signal });
	// Escape anywhere clears the cells' selection too, as it clears the words'.
	document.addEventListener('keydown', e => {
		if (e.key === 'Escape' && !e.defaultPrevented) for (const view of views) view.clear();
	}, { signal });
	o.stage.addEventListener('pointerdown', e => {
		// A click on a word is the word's; on a cell's empty part it picks the cell.
		if (e.button !== 0 || !(e.target instanceof SVGElement) || !e.target.classList.contains('cell')) return;
		const hit = cellAt(e);
		if (hit) views[hit.table].pickCell(hit.cell, e.shiftKey);
	}, { signal });
	return element;
}

class TableView {
	readonly element: HTMLElement;
	private readonly grid: number[][];
	/** The element shown at each grid position: a cell's, for every position it covers. */
	private readonly at: (HTMLTableCellElement | undefined)[][] = [];
	/** By cell index. */
	private readonly cellElements: (HTMLTableCellElement | undefined)[] = [];
	private readonly status: HTMLElement;
	private range: TableRange | undefined;
	private anchor: Position | undefined;
	private active: Position = { row: 0, column: 0 };
	private hovered: number | undefined;
	private dragging = false;

	constructor(private readonly table: Table, private readonly index: number, private readonly o: TablesOptions) {
		const { l10n, signal } = o;
		this.grid = tableGrid(table);
		const rows = this.grid.length;
		const columns = this.grid[0]?.length ?? 0;
		const caption = l10n.t('table.caption', l10n.integer(index + 1), l10n.integer(o.tables.length), l10n.integer(table.rowCount), l10n.integer(table.columnCount));

		const tbody = h('tbody', {});
		for (let r = 0; r < rows; r++) {
			const tr = h('tr', {});
			this.at.push([]);
			for (let c = 0; c < columns; c++) {
				const owner = this.grid[r][c];
				if (owner !== -1 && this.cellElements[owner]) {
					// Covered by a merged cell started above or to the left.
					this.at[r][c] = this.cellElements[owner];
					continue;
				}
				const cell = owner === -1 ? undefined : table.cells[owner];
				const span = cell ? cellRange(cell) : { top: r, left: c, bottom: r, right: c };
				const td = h(r === 0 ? 'th' : 'td', {
					class: cell ? 'table-cell' : 'table-cell missing',
					role: 'gridcell',
					'data-row': r,
					'data-column': c,
					'data-cell': owner === -1 ? undefined : owner,
					rowspan: span.bottom > span.top ? Math.min(rows, span.bottom + 1) - span.top : undefined,
					colspan: span.right > span.left ? Math.min(columns, span.right + 1) - span.left : undefined,
					tabindex: r === 0 && c === 0 ? 0 : -1,
					'aria-selected': 'false',
				}, cell?.text ?? '');
				if (r === 0) td.setAttribute('scope', 'col');
				if (owner !== -1) this.cellElements[owner] = td;
				this.at[r][c] = td;
				tr.appendChild(td);
			}
			tbody.appendChild(tr);
		}
		const grid = h('table', { class: 'ocr-table', role: 'grid', 'aria-multiselectable': 'true', 'data-table': index },
			h('caption', { class: 'table-caption' }, caption),
			tbody);

		const format = h('select', { class: 'select table-format', 'aria-label': l10n.t('table.format'), title: l10n.t('table.format') });
		for (const f of TABLE_FORMATS) format.appendChild(h('option', { value: f, selected: f === o.format.get() }, l10n.t(FORMAT_LABELS[f])));
		const copy = h('button', { type: 'button', class: 'button secondary table-copy', title: l10n.t('table.copyTitle') }, l10n.t('table.copy'));
		const insert = h('button', { type: 'button', class: 'button secondary table-insert', title: l10n.t('table.insertTitle') }, l10n.t('table.insert'));
		this.status = h('span', { class: 'status table-status', role: 'status' });
		this.element = h('div', { class: 'table-view', 'data-table': index },
			h('div', { class: 'table-bar' }, this.status, h('span', { class: 'table-actions' }, format, copy, insert)),
			h('div', { class: 'table-scroll' }, rows * columns === 0 ? h('p', { class: 'muted' }, l10n.t('table.empty')) : grid));

		copy.addEventListener('click', () => o.copyText(this.text(), copy), { signal });
		insert.addEventListener('click', () => o.insertText(this.text(), insert), { signal });
		grid.addEventListener('pointerdown', e => this.pointerDown(e), { signal });
		grid.addEventListener('pointerover', e => {
			const position = positionOf(e.target);
			if (!position) return;
			const cell = this.grid[position.row]?.[position.column];
			this.hover(cell === -1 ? undefined : cell);
			if (this.dragging && this.anchor) {
				this.selectRange(this.anchor, position);
				this.focusActive();
			}
		}, { signal });
		grid.addEventListener('pointerleave', () => this.hover(undefined), { signal });
		window.addEventListener('pointerup', () => {
			this.dragging = false;
		}, { signal });
		grid.addEventListener('keydown', e => this.key(e), { signal });
		this.render();
	}

	/** Highlights one cell (by index) in the table and on the image; undefined for none. */
	hover(cell: number | undefined): void {
		if (cell === this.hovered) return;
		if (this.hovered !== undefined) this.mark(this.hovered, 'hover', false);
		this.hovered = cell;
		if (cell !== undefined) this.mark(cell, 'hover', true);
	}

	clear(): void {
		if (this.range === undefined) return;
		this.range = undefined;
		this.anchor = undefined;
		this.render();
	}

	/** A cell clicked on the image. */
	pickCell(cell: number, extend: boolean): void {
		const { top, left } = cellRange(this.table.cells[cell]);
		const position = { row: top, column: left };
		if (extend && this.anchor) this.selectRange(this.anchor, position);
		else this.selectRange(position, position);
		this.at[top]?.[left]?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
	}

	private text(): string {
		return formatTable(this.table, this.o.format.get(), this.range);
	}

	private pointerDown(e: PointerEvent): void {
		if (e.button !== 0) return;
		const position = positionOf(e.target);
		if (!position) return;
		// No text selection while dragging over cells; focus moves with the active cell instead.
		e.preventDefault();
		if (e.shiftKey && this.anchor) this.selectRange(this.anchor, position);
		else this.selectRange(position, position);
		this.dragging = true;
		this.focusActive();
	}

	private key(e: KeyboardEvent): void {
		const rows = this.grid.length;
		const columns = this.grid[0]?.length ?? 0;
		if (rows * columns === 0) return;
		const from = this.active;
		const span = this.spanAt(from);
		let to: Position | undefined;
		switch (e.key) {
			case 'ArrowRight':
				to = { row: from.row, column: Math.min(columns - 1, span.right + 1) };
				break;
			case 'ArrowLeft':
				to = { row: from.row, column: Math.max(0, span.left - 1) };
				break;
			case 'ArrowDown':
				to = { row: Math.min(rows - 1, span.bottom + 1), column: from.column };
				break;
			case 'ArrowUp':
				to = { row: Math.max(0, span.top - 1), column: from.column };
				break;
			case 'Home':
				to = { row: from.row, column: 0 };
				break;
			case 'End':
				to = { row: from.row, column: columns - 1 };
				break;
			case 'a':
			case 'A':
				if (!(e.ctrlKey || e.metaKey)) return;
				e.preventDefault();
				this.selectRange({ row: 0, column: 0 }, { row: rows - 1, column: columns - 1 });
				this.active = from;
				this.render();
				return;
			default:
				return;
		}
		e.preventDefault();
		if (e.shiftKey) this.selectRange(this.anchor ?? from, to);
		else this.selectRange(to, to);
		this.focusActive();
	}

	private selectRange(anchor: Position, active: Position): void {
		this.anchor = anchor;
		this.active = active;
		this.range = rangeBetween(this.grid, this.table.cells, anchor, active);
		this.render();
	}

	private spanAt(position: Position): TableRange {
		const cell = this.grid[position.row]?.[position.column];
		return cell === undefined || cell === -1 ? { top: position.row, left: position.column, bottom: position.row, right: position.column } : cellRange(this.table.cells[cell]);
	}

	private focusActive(): void {
		const td = this.at[this.active.row]?.[this.active.column];
		if (!td) return;
		for (const other of this.element.querySelectorAll('[tabindex="0"]')) if (other !== td && other.classList.contains('table-cell')) other.setAttribute('tabindex', '-1');
		td.setAttribute('tabindex', '0');
		td.focus({ preventScroll: true });
		td.scrollIntoView({ block: 'nearest', inline: 'nearest' });
	}

	private render(): void {
		const { l10n } = this.o;
		const selected = new Set<HTMLTableCellElement>();
		const range = this.range;
		if (range) {
			for (let r = range.top; r <= range.bottom; r++) {
				for (let c = range.left; c <= range.right; c++) {
					const td = this.at[r]?.[c];
					if (td) selected.add(td);
				}
			}
		}
		for (const row of this.at) {
			for (const td of row) {
				if (!td) continue;
				const on = selected.has(td);
				td.classList.toggle('selected', on);
				td.setAttribute('aria-selected', String(on));
			}
		}
		const chosen = new Set(range ? cellsIn(this.grid, range) : []);
		this.o.overlay()?.cells[this.index]?.forEach((polygon, cell) => polygon?.classList.toggle('selected', chosen.has(cell)));
		const total = this.table.cells.length;
		this.status.textContent = chosen.size > 0
			? l10n.t('table.selected', l10n.integer(chosen.size), l10n.integer(total))
			: l10n.t('table.cells', l10n.integer(total));
	}

	private mark(cell: number, className: string, on: boolean): void {
		this.cellElements[cell]?.classList.toggle(className, on);
		this.o.overlay()?.cells[this.index]?.[cell]?.classList.toggle(className, on);
	}
}

function positionOf(target: EventTarget | null): Position | undefined {
	if (!(target instanceof Element)) return undefined;
	const td = target.closest('.table-cell');
	if (!td) return undefined;
	const row = Number(td.getAttribute('data-row'));
	const column = Number(td.getAttribute('data-column'));
	return Number.isInteger(row) && Number.isInteger(column) ? { row, column } : undefined;
}
