import * as assert from 'node:assert/strict';
import { fitBytes } from '../../src/images/converter/fitImage';
import { poolSize } from '../../src/images/converter/wasmConverter';

const MB = 1024 * 1024;

describe('images: the converter pool\'s size and memory estimates', () => {
	it('sizes the pool to the cores, as far as the memory budget allows, and never below one worker', () => {
		// 512 MB for the whole extension host holds one worker that fits phone photos, not two.
		assert.equal(poolSize(2, 512), 1);
		assert.equal(poolSize(16, 512), 1);
		assert.equal(poolSize(2, 1024), 2);
		assert.equal(poolSize(16, 1024), 3);
		assert.equal(poolSize(1, 4096), 1);
		assert.equal(poolSize(8, 100), 1);
	});

	it('expects a JPEG far over the target to decode at a fraction of its size (shrink-on-load)', () => {
		const photo = (pixels: number, bytes: number) => fitBytes({ bytes: new Uint8Array(bytes), format: 'jpeg', pixels });
		const twelve = photo(12_000_000, 5 * MB);
		const fortyEight = photo(48_000_000, 21 * MB);
		// 8000×6000 decodes at 4000×3000 for a 2560 px target: about a 12 MP photo's pixels, plus its larger file.
		assert.ok(fortyEight < 2 * twelve, `${fortyEight / MB} MB vs ${twelve / MB} MB`);
		// A PNG of as many pixels is decoded whole.
		const png = fitBytes({ bytes: new Uint8Array(5 * MB), format: 'png', pixels: 48_000_000 });
		assert.ok(png > fortyEight + 100 * MB);
	});
});
