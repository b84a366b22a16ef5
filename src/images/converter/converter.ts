/**
 * What the extension converts images with: native libvips in a process of its own where the
 * package carries it for this platform and it runs, else libvips compiled to WebAssembly in worker
 * threads (every platform, slower). An image the native process could not fit — it would not
 * start, or it died — is fitted with WebAssembly instead, so nothing is lost; after the second
 * such failure the native converter is left alone until the extension restarts.
 */
import { phrase } from '../../shared/phrase';
import { ImageError } from '../errors';
import type { Converted, FitOptions, FitRequest } from './fitImage';
import { NativeConverter } from './nativeConverter';
import { WasmConverter, type WasmConverterOptions } from './wasmConverter';

export type { Converted, FitOptions } from './fitImage';

export interface ConverterOptions {
	/** The native converter's process script (dist/imageProcess.js); none where the package has no native libvips. */
	nativePath?: string;
	wasm: WasmConverterOptions;
	/** One line when the library is chosen or changes, with why. */
	log?: (line: string) => void;
}

/** Native processes dead with images to fit after which WebAssembly does every image. */
const NATIVE_FAILURES = 2;

export type LibraryKind = 'native' | 'wasm';

export class ImageConverter {
	private native: NativeConverter | undefined;
	private wasmConverter: WasmConverter | undefined;
	/** Native processes that died, as far as the log has said. */
	private deathsTold = 0;
	private told = false;

	constructor(private readonly options: ConverterOptions) {
		if (options.nativePath) this.native = new NativeConverter({ processPath: options.nativePath });
	}

	/** What converts the next image. */
	get library(): LibraryKind {
		return this.native ? 'native' : 'wasm';
	}

	/** Images fitted at once, at most. */
	get parallelism(): number {
		return this.native?.parallelism ?? this.wasm().parallelism;
	}

	/** Loads the library ahead of the first image. */
	warm(): void {
		if (this.native) {
			this.native.warm().then(versions => this.tell(`native ${versions}, in its own process`), (err: unknown) => this.nativeFailed(err));
		} else {
			this.wasm().warm();
		}
	}

	async fit(request: FitRequest, signal?: AbortSignal, options: FitOptions = {}): Promise<Converted> {
		const native = this.native;
		if (native) {
			try {
				// The bytes are copied to the process, so they are still there for WebAssembly if it fails.
				const converted = await native.fit(request, signal);
				if (native.versions) this.tell(`native ${native.versions}, in its own process`);
				return converted;
			} catch (err) {
				if (!(err instanceof ImageError) || err.code !== 'converter' || signal?.aborted) throw err;
				this.nativeFailed(err);
			}
		}
		return this.wasm().fit(request, signal, options);
	}

	async dispose(): Promise<void> {
		const native = this.native;
		this.native = undefined;
		await Promise.all([native?.dispose(), this.wasmConverter?.dispose()]);
	}

	/** The WebAssembly converter, started on first use. */
	private wasm(): WasmConverter {
		this.wasmConverter ??= new WasmConverter(this.options.wasm);
		return this.wasmConverter;
	}

	/**
	 * An image the native converter could not fit: said once for each process that died, and the
	 * native converter left alone after NATIVE_FAILURES of them, or at once when libvips cannot load.
	 */
	private nativeFailed(err: unknown): void {
		const native = this.native;
		if (!native) return;
		const reason = native.cannotLoad ?? (err instanceof Error ? err.message : String(err)).replace(/^could not be converted: /, '');
		const deaths = native.counts.died;
		if (!native.cannotLoad && deaths < NATIVE_FAILURES) {
			if (deaths > this.deathsTold) {
				this.deathsTold = deaths;
				this.log(`Images: ${reason}; its images are converted with libvips in WebAssembly, the next in a new native process.`);
			}
			return;
		}
		this.native = undefined;
		// What still waits for it is fitted with WebAssembly (see fit).
		void native.dispose(new ImageError('converter', phrase('could not be converted: native libvips cannot be used here ({0})', reason)));
		this.log(`Images: native libvips cannot be used here (${reason}); images are converted with libvips in WebAssembly, which is slower.`);
	}

	private tell(what: string): void {
		if (this.told) return;
		this.told = true;
		this.log(`Images: converted with ${what}.`);
	}

	private log(line: string): void {
		this.options.log?.(line);
	}
}
