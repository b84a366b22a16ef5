/**
 * The sample images for the OCR API's models, each with the models it demonstrates. Everything on
 * them is invented: people, numbers, places, the plate.
 */

import type { ModelPlan, OcrScene } from './fixture-ocr';
import { unitHtml, wordsHtml } from './fixture-ocr';
import { escapeHtml, type Scene } from './fixture-scene';

const SANS = '"DejaVu Sans"';
const SERIF = '"DejaVu Serif"';
const MATH = '"DejaVu Math TeX Gyre"';

// --- two-column-article.png: drawn as a plain scene, so batchAnalyze has its recording too -------

export const ARTICLE: Scene = {
	file: 'two-column-article.png', width: 1100, height: 400,
	description: 'A magazine page in English: a title across the top, two columns of prose of five lines each, and a page number. Read as one column, the two columns\' lines interleave.',
	css: `body { background: #fffdf8; color: #1d1d1f; font: 17px/30px ${SERIF}; }`,
	backdrop: '<div style="position:absolute; left:60px; right:60px; top:118px; border-top:3px double #8a8070;"></div>'
		+ '<div style="position:absolute; left:549px; top:150px; height:160px; border-left:1px solid #c9c1b3;"></div>',
	blocks: [
		{ css: `left: 60px; top: 44px; font: bold 40px/52px ${SERIF};`, language: ['en', 0.99], lines: [
			[0.98, 'The Quiet Return of the Night Train'],
		] },
		{ css: 'left: 60px; top: 150px;', language: ['en', 0.98], lines: [
			[0.96, 'Sleeper trains are coming back to the map of'],
			[0.95, 'Europe. After years of cuts, new operators'],
			[0.94, 'now run overnight services between cities,'],
			[0.95, 'and tickets for the summer sell out within'],
			[0.93, 'hours of going on sale, say booking clerks.'],
		] },
		{ css: 'left: 580px; top: 150px;', language: ['en', 0.98], lines: [
			[0.95, 'Travellers give simple reasons: a night train'],
			[0.94, 'saves a hotel bill, and it arrives in the city'],
			[0.96, 'centre rather than at a distant airport. Many'],
			[0.93, 'also like the slower pace and a proper bed'],
			[0.92, 'instead of a cramped seat in economy class.'],
		] },
		{ css: `left: 0; right: 0; top: 346px; text-align: center; color: #6b6357; font: 14px/22px ${SANS};`, language: ['en', 0.95], lines: [
			[0.9, 'Page 12'],
		] },
	],
	quality: [0.02, 0.1, 0.88],
	moderation: { adult: 0.01, gruesome: 0.01, text: 0.98, watermarks: 0.02 },
};

/** The article's blocks as units, in the order of ARTICLE.blocks. */
export const ARTICLE_UNITS = [
	{ id: 'title', layout: 'LAYOUT_TYPE_TITLE' },
	{ id: 'left', layout: 'LAYOUT_TYPE_TEXT' },
	{ id: 'right', layout: 'LAYOUT_TYPE_TEXT' },
	{ id: 'page-number', layout: 'LAYOUT_TYPE_FOOTER' },
] as const;

export const ARTICLE_MODELS: Readonly<Record<string, ModelPlan>> = {
	// One column: the body's lines taken row by row, left column's line then the right one's.
	page: { blocks: [
		{ units: ['title'] },
		{ units: ['left', 'right'], across: true },
		{ units: ['page-number'] },
	] },
	'page-column-sort': {},
};

// --- handwritten-note.png ---------------------------------------------------------------------

/** Ruled lines of the notepad, and where a handwritten line's box starts to sit on one. */
const RULES = [110, 166, 222, 278, 334, 390, 446];
const HAND_LINE_HEIGHT = 40;
const ON_RULE = 26;
/** Vertical wobble of successive words (px): a hand does not keep a baseline. */
const JITTER = [0, 2, -1, 1, -2, 1, 0, -1, 2, -2];

function handLine(id: string, language: string, left: number, rule: number, degrees: number, text: string, seed: number): string {
	const words = text.split(' ').map((word, i) => {
		const dy = JITTER[(seed + i) % JITTER.length];
		return `<span data-word style="position: relative; top: ${dy}px;">${escapeHtml(word)}</span>`;
	});
	const top = RULES[rule] - ON_RULE;
	return `<div data-block="${id}" data-lang="${language}" data-layout="text" class="hand" style="left: ${left}px; top: ${top}px; transform: rotate(${degrees}deg);"><div data-line>${words.join(' ')}</div></div>`;
}

export const HANDWRITTEN_NOTE: OcrScene = {
	file: 'handwritten-note.png', width: 760, height: 500,
	description: 'A handwritten to-do note in blue ink on ruled notepad paper: two lines in Russian, two in English, a signature, a date, and the pad\'s printed heading.',
	css: `body { background: #fdfbf3; }
.rule { position: absolute; left: 0; right: 0; border-top: 1px solid #a9c4e4; }
.margin { position: absolute; top: 0; bottom: 0; left: 58px; border-left: 2px solid #e5a3a3; }
.hand { position: absolute; color: #1f3f9a; font: italic 30px/${HAND_LINE_HEIGHT}px ${SERIF}; letter-spacing: 0.3px; transform-origin: 0 50%; }
.printed { position: absolute; left: 76px; top: 40px; color: #8b9099; font: bold 16px/24px ${SANS}; letter-spacing: 3px; }`,
	body: [
		...RULES.map(y => `<div class="rule" style="top: ${y}px;"></div>`),
		'<div class="margin"></div>',
		unitHtml('heading', 'ru', 'data-layout="header" class="printed"', ['ЗАМЕТКИ']),
		handLine('date', 'ru', 600, 0, -1.5, '12.03', 3),
		handLine('ru-1', 'ru', 80, 1, -1.2, 'Купить хлеб, молоко и сыр', 0),
		handLine('ru-2', 'ru', 84, 2, 0.8, 'Позвонить маме до 19:00', 4),
		handLine('en-1', 'en', 78, 3, -0.6, 'Call Alex about the keys', 2),
		handLine('en-2', 'en', 82, 4, 1.3, 'Meeting moved to Friday!', 5),
		handLine('sign', 'ru', 520, 5, -2.4, '— Оля', 1),
	].join('\n'),
	models: {
		handwritten: { blocks: [
			{ units: ['heading'] },
			{ units: ['date'] },
			{ units: ['ru-1', 'ru-2'] },
			{ units: ['en-1', 'en-2'] },
			{ units: ['sign'] },
		] },
		// The printed-text model reads the hand, with a few letters wrong.
		page: {
			blocks: [
				{ units: ['heading'] },
				{ units: ['date'] },
				{ units: ['ru-1', 'ru-2'] },
				{ units: ['en-1', 'en-2'] },
				{ units: ['sign'] },
			],
			misread: { 'молоко': 'мопоко', '19:00': '19:0O', 'Friday!': 'Fridag!', 'Оля': 'Олл' },
		},
	},
};

// --- table-merged.png -------------------------------------------------------------------------

type CellSpec = readonly [text: string, span?: { rows?: number; columns?: number }];

const SCHEDULE: readonly (readonly CellSpec[])[] = [
	[['Район'], ['Понедельник'], ['Среда'], ['Пятница']],
	[['Центр'], ['9:00–12:00'], ['14:00–18:00'], ['9:00–12:00']],
	[['Северный'], ['Весь день, 9:00–18:00', { columns: 2 }], ['Нет доставки']],
	[['Заречье', { rows: 2 }], ['8:00–10:00'], ['8:00–10:00'], ['8:00–10:00']],
	[['17:00–20:00'], ['—'], ['17:00–20:00']],
];

function scheduleHtml(): string {
	const rows = SCHEDULE.map((row, r) => `<tr>${row.map(([text, span], c) => {
		const tag = r === 0 ? 'th' : 'td';
		const spans = `${span?.rows ? ` rowspan="${span.rows}"` : ''}${span?.columns ? ` colspan="${span.columns}"` : ''}`;
		return `<${tag}${spans}>${unitHtml(`r${r}c${c}`, 'ru', '', [text])}</${tag}>`;
	}).join('')}</tr>`);
	return `<table data-table>${rows.join('')}</table>`;
}

export const TABLE_MERGED: OcrScene = {
	file: 'table-merged.png', width: 1000, height: 520,
	description: 'A delivery schedule in Russian: a heading, a bordered table of five rows and four columns with a header row, one cell spanning two columns and one spanning two rows, and a footnote.',
	css: `body { background: #ffffff; color: #1f2328; font: 19px/28px ${SANS}; }
.heading { position: absolute; left: 60px; top: 36px; font: bold 30px/40px ${SANS}; }
table { position: absolute; left: 60px; top: 110px; width: 880px; border-collapse: collapse; }
th, td { border: 2px solid #3d4450; padding: 14px 16px; text-align: left; vertical-align: middle; }
th { background: #e6edf5; font-weight: bold; }
.footnote { position: absolute; left: 60px; top: 452px; color: #5f6368; font: italic 16px/24px ${SANS}; }`,
	body: [
		unitHtml('heading', 'ru', 'data-layout="section-header" class="heading"', ['График доставки на март']),
		scheduleHtml(),
		unitHtml('footnote', 'ru', 'data-layout="footnote" class="footnote"', ['* Заказы на следующий день принимаются до 20:00.']),
	].join('\n'),
	models: {
		table: { tables: true },
		page: {},
	},
};

// --- formula-page.png ---------------------------------------------------------------------------

interface MathToken { mathml: string; text: string; latex: string }

const QUADRATIC: MathToken = {
	mathml: '<mi>x</mi><mo>=</mo><mfrac><mrow><mo>−</mo><mi>b</mi><mo>±</mo><msqrt><msup><mi>b</mi><mn>2</mn></msup><mo>−</mo><mn>4</mn><mi>a</mi><mi>c</mi></msqrt></mrow><mrow><mn>2</mn><mi>a</mi></mrow></mfrac>',
	text: 'x=(−b±√(b²−4ac))/(2a)',
	latex: 'x = \\frac{-b \\pm \\sqrt{b^{2} - 4ac}}{2a}',
};

const SUM_OF_SQUARES: MathToken = {
	mathml: '<munderover><mo>∑</mo><mrow><mi>k</mi><mo>=</mo><mn>1</mn></mrow><mi>n</mi></munderover><msup><mi>k</mi><mn>2</mn></msup><mo>=</mo><mfrac><mrow><mi>n</mi><mo>(</mo><mi>n</mi><mo>+</mo><mn>1</mn><mo>)</mo><mo>(</mo><mn>2</mn><mi>n</mi><mo>+</mo><mn>1</mn><mo>)</mo></mrow><mn>6</mn></mfrac>',
	text: '∑(k=1..n)k²=n(n+1)(2n+1)/6',
	latex: '\\sum_{k=1}^{n} k^{2} = \\frac{n(n+1)(2n+1)}{6}',
};

const INLINE: Record<string, MathToken> = {
	equation: {
		mathml: '<mi>a</mi><msup><mi>x</mi><mn>2</mn></msup><mo>+</mo><mi>b</mi><mi>x</mi><mo>+</mo><mi>c</mi><mo>=</mo><mn>0</mn>',
		text: 'ax²+bx+c=0',
		latex: 'ax^{2} + bx + c = 0',
	},
	nonzero: { mathml: '<mi>a</mi><mo>≠</mo><mn>0</mn>', text: 'a≠0', latex: 'a \\neq 0' },
	n: { mathml: '<mi>n</mi>', text: 'n', latex: 'n' },
};

function mathWord(token: MathToken, display: boolean): string {
	const attributes = `data-text="${escapeHtml(token.text)}"${display ? '' : ` data-latex="${escapeHtml(token.latex)}"`}`;
	return `<span data-word ${attributes} class="math-word"><math${display ? ' display="block"' : ''}>${token.mathml}</math></span>`;
}

/** A line of prose: plain words, and inline formulas named in INLINE as `{name}`. */
function proseLine(text: string): string {
	return `<div data-line>${text.split(' ').map(word => {
		const named = /^\{(\w+)\}$/.exec(word);
		return named ? mathWord(INLINE[named[1]], false) : wordsHtml(word);
	}).join(' ')}</div>`;
}

function paragraph(id: string, top: number, lines: readonly string[]): string {
	return `<div data-block="${id}" data-lang="en" data-layout="text" class="prose" style="top: ${top}px;">${lines.map(proseLine).join('')}</div>`;
}

function displayed(id: string, top: number, token: MathToken): string {
	return `<div data-block="${id}" data-lang="en" data-layout="text" data-latex="${escapeHtml(token.latex)}" class="display" style="top: ${top}px;"><div data-line>${mathWord(token, true)}</div></div>`;
}

export const FORMULA_PAGE: OcrScene = {
	file: 'formula-page.png', width: 900, height: 640,
	description: 'A page of a maths text in English: a heading, a paragraph with inline formulas, the quadratic formula displayed, a line of text and the sum of the first n squares displayed.',
	css: `body { background: #ffffff; color: #202124; font: 20px/34px ${SERIF}; }
.heading { position: absolute; left: 70px; top: 48px; font: bold 34px/46px ${SERIF}; }
.prose { position: absolute; left: 70px; }
.display { position: absolute; left: 0; right: 0; text-align: center; }
.math-word { display: inline-block; }
math { font-family: ${MATH}; font-size: 22px; }
.display math { font-size: 30px; }`,
	body: [
		unitHtml('heading', 'en', 'data-layout="title" class="heading"', ['Two classic formulas']),
		paragraph('intro', 130, [
			'A quadratic equation {equation} with {nonzero}',
			'has at most two real roots. When the discriminant',
			'is not negative, they are given by the formula',
		]),
		displayed('quadratic', 244, QUADRATIC),
		paragraph('sum-intro', 376, [
			'Adding up the squares of the first {n} natural numbers',
			'gives a closed form that is easy to prove by induction:',
		]),
		displayed('sum', 470, SUM_OF_SQUARES),
	].join('\n'),
	models: {
		'math-markdown': { markdown: 'latex' },
		markdown: { markdown: 'plain' },
		// What Recognize Text and a folder read with the default model.
		page: {},
	},
};

// --- passport-form.png ------------------------------------------------------------------------

/** The fields the `passport` model returns, in the order the documentation lists them. */
export const PASSPORT_ENTITIES = [
	'name', 'middle_name', 'surname', 'gender', 'citizenship', 'birth_date', 'birth_place',
	'number', 'issued_by', 'issue_date', 'subdivision', 'expiration_date',
] as const;

function field(id: string, left: number, top: number, label: string, value: readonly string[], entity: string): string {
	return [
		unitHtml(`${id}-label`, 'ru', `class="label" style="left: ${left}px; top: ${top}px;"`, [label]),
		unitHtml(id, 'ru', `class="value" style="left: ${left}px; top: ${top + 24}px;"`, value, `data-entity="${entity}"`),
	].join('\n');
}

export const PASSPORT_FORM: OcrScene = {
	file: 'passport-form.png', width: 800, height: 1120,
	description: 'A made-up passport-like identity document in Russian, stamped ОБРАЗЕЦ / SPECIMEN: the issue page (issuer, date, department code, serial number) above the personal page (grey photo box, surname, name, patronymic, sex, date and place of birth).',
	css: `body { background: linear-gradient(180deg, #f4ebe6 0%, #efe3dc 49.8%, #b9aaa2 50%, #efe3dc 50.2%, #f4ebe6 100%); color: #2a2324; }
.label { position: absolute; color: #7a6a66; font: 15px/20px ${SANS}; }
.value { position: absolute; font: bold 22px/30px ${SERIF}; letter-spacing: 1px; }
.serial { position: absolute; left: 500px; top: 212px; color: #b3262a; font: bold 26px/32px ${SANS}; letter-spacing: 2px; }
.photo { position: absolute; left: 56px; top: 640px; width: 200px; height: 260px; background: linear-gradient(#a9a9ad, #8d8d93); border: 1px solid #77777c; }
.stamp { position: absolute; left: 400px; top: 330px; padding: 6px 22px; border: 5px double rgba(196, 30, 36, 0.8); border-radius: 10px; color: rgba(196, 30, 36, 0.85); font: bold 40px/50px ${SANS}; letter-spacing: 4px; text-align: center; transform: rotate(-14deg); }`,
	body: [
		'<div class="photo"></div>',
		field('issued-by', 56, 60, 'Паспорт выдан', ['ОТДЕЛОМ ПАСПОРТНОЙ СЛУЖБЫ', 'ГОР. ОБРАЗЦОВСКА'], 'issued_by'),
		field('issue-date', 56, 190, 'Дата выдачи', ['01.02.2016'], 'issue_date'),
		field('subdivision', 280, 190, 'Код подразделения', ['999-001'], 'subdivision'),
		unitHtml('number-label', 'ru', 'class="label" style="left: 500px; top: 190px;"', ['Серия и номер']),
		unitHtml('number', 'ru', 'class="serial"', ['99 01 000123'], 'data-entity="number"'),
		unitHtml('stamp', 'ru en', 'class="stamp"', ['ОБРАЗЕЦ', 'SPECIMEN']),
		field('surname', 300, 640, 'Фамилия', ['СОКОЛОВА'], 'surname'),
		field('name', 300, 712, 'Имя', ['МАРИНА'], 'name'),
		field('middle-name', 300, 784, 'Отчество', ['ПЕТРОВНА'], 'middle_name'),
		field('gender', 300, 856, 'Пол', ['ЖЕН.'], 'gender'),
		field('birth-date', 440, 856, 'Дата рождения', ['14.07.1990'], 'birth_date'),
		field('birth-place', 300, 928, 'Место рождения', ['ГОР. ОБРАЗЦОВСК'], 'birth_place'),
	].join('\n'),
	models: {
		passport: { entities: PASSPORT_ENTITIES },
		page: {},
	},
};

// --- car-plate.jpg ----------------------------------------------------------------------------

export const CAR_PLATE: OcrScene = {
	file: 'car-plate.jpg', width: 1000, height: 700,
	description: 'The rear of a dark blue car in a car park, with a Russian licence plate А123ВС 77 (region code, RUS and flag on the right).',
	css: `body { background: linear-gradient(180deg, #b9c3cc 0%, #d7dde2 40%, #6f7378 41%, #55595e 100%); }
.shadow { position: absolute; left: 80px; top: 610px; width: 840px; height: 50px; border-radius: 50%; background: rgba(20, 20, 24, 0.55); filter: blur(6px); }
.tyre { position: absolute; top: 560px; width: 120px; height: 80px; border-radius: 14px; background: #151618; }
.body { position: absolute; left: 90px; top: 170px; width: 820px; height: 420px; border-radius: 90px 90px 36px 36px; background: linear-gradient(180deg, #2b4a78 0%, #1c335a 45%, #13243f 100%); box-shadow: inset 0 -10px 30px rgba(0, 0, 0, 0.4); }
.window { position: absolute; left: 210px; top: 190px; width: 580px; height: 140px; border-radius: 60px 60px 10px 10px; background: linear-gradient(160deg, #56677c 0%, #222a35 55%, #10151c 100%); }
.light { position: absolute; top: 370px; width: 150px; height: 54px; border-radius: 12px; background: linear-gradient(180deg, #ff5a4e, #b3140f); box-shadow: 0 0 12px rgba(255, 60, 40, 0.5); }
.trunk { position: absolute; left: 130px; top: 350px; width: 740px; border-top: 2px solid rgba(0, 0, 0, 0.35); }
.badge { position: absolute; left: 476px; top: 370px; width: 48px; height: 48px; border-radius: 50%; background: radial-gradient(circle at 35% 35%, #f4f6f8, #9aa3ad); }
.bumper { position: absolute; left: 100px; top: 470px; width: 800px; height: 110px; border-radius: 20px 20px 40px 40px; background: linear-gradient(180deg, #2a2d31, #17191c); }
.plate { position: absolute; left: 326px; top: 482px; width: 344px; height: 74px; box-sizing: border-box; border: 3px solid #111; border-radius: 7px; background: #f8f8f4; color: #111; font-family: ${SANS}; font-weight: bold; font-stretch: condensed; }
.plate [data-line] { display: flex; height: 100%; align-items: stretch; }
.number { display: flex; align-items: baseline; justify-content: center; width: 248px; padding-top: 4px; font-size: 56px; line-height: 62px; letter-spacing: 2px; }
.number .letter { font-size: 46px; }
.region { display: flex; flex-direction: column; align-items: center; width: 90px; border-left: 3px solid #111; }
.code { font-size: 40px; line-height: 44px; }
.rus { display: flex; align-items: center; font: bold 14px/18px ${SANS}; }
.flag { display: inline-block; width: 22px; height: 14px; margin-left: 4px; border: 1px solid #555; background: linear-gradient(180deg, #ffffff 33.3%, #1c4fb8 33.3%, #1c4fb8 66.6%, #d52b1e 66.6%); }`,
	body: [
		'<div class="shadow"></div>',
		'<div class="tyre" style="left: 150px;"></div><div class="tyre" style="left: 730px;"></div>',
		'<div class="body"></div><div class="window"></div><div class="trunk"></div>',
		'<div class="light" style="left: 120px;"></div><div class="light" style="left: 730px;"></div>',
		'<div class="badge"></div><div class="bumper"></div>',
		'<div data-block="plate" data-lang="ru" class="plate"><div data-line>'
			+ '<span class="number"><span data-word><span class="letter">А</span>123<span class="letter">ВС</span></span></span>'
			+ '<span class="region"><span class="code"><span data-word>77</span></span><span class="rus">RUS<span class="flag"></span></span></span>'
			+ '</div></div>',
	].join('\n'),
	models: {
		'license-plates': {},
		page: {},
	},
};

export const OCR_SCENES: readonly OcrScene[] = [HANDWRITTEN_NOTE, TABLE_MERGED, FORMULA_PAGE, PASSPORT_FORM, CAR_PLATE];
