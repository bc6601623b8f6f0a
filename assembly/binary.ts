// Binary (XOR/AND + popcount) convolution kernels in WebAssembly SIMD128.
//
// AssemblyScript source, compiled by scripts/build-wasm.mjs to dist/kernels/binary.wasm.
// The module owns no objects: the host (src/kernels/wasm-engine.ts) lays out every buffer
// in linear memory and passes one parameter block (i32 fields, see the P_* offsets, which
// must match WASM_PARAM in src/kernels/wasm-engine.ts).
//
// Data layout (DESIGN §5): activations NHWC, channels packed into 32-bit words, bit 1 = −1,
// padding bits 0. Weights: [CoutPad][rowVecs × 4 words], one row = taps (ky, kx) × words,
// zero-padded to a whole v128, CoutPad = Cout rounded up to 4 with zero rows.
//
// The conv works one output row at a time: im2col of that row into `rows` (small, stays in
// L1), then a register-blocked GEMM over tiles of 2 pixels × 4 output channels whose eight
// byte-accumulators stay in SIMD registers.

const P_N: i32 = 0;
const P_H: i32 = 1;
const P_W: i32 = 2;
const P_WORDS: i32 = 3;
const P_KERNEL: i32 = 4;
const P_STRIDE: i32 = 5;
const P_DILATION: i32 = 6;
const P_PAD_TOP: i32 = 7;
const P_PAD_LEFT: i32 = 8;
const P_HOUT: i32 = 9;
const P_WOUT: i32 = 10;
const P_ROW_VECS: i32 = 11;
const P_COUT: i32 = 12;
const P_COUT_PAD: i32 = 13;
const P_MODE: i32 = 14;
const P_PLANES: i32 = 15;
const P_PLANE_BYTES: i32 = 16;
const P_INPUT: i32 = 17;
const P_WEIGHTS: i32 = 18;
const P_BASE: i32 = 19;
const P_ROW_CLASS: i32 = 20;
const P_COL_CLASS: i32 = 21;
const P_COL_CLASSES: i32 = 22;
const P_SCALE: i32 = 23;
const P_BIAS: i32 = 24;
const P_OUT: i32 = 25;
const P_ROWS: i32 = 26;
const P_ROW_POP: i32 = 27;
const P_OUT_WORDS: i32 = 28;
const P_SCRATCH: i32 = 29;

// Output modes: what happens to each exact integer dot product d[o].
const MODE_INT: i32 = 0; // out (i32) = d
const MODE_FLOAT: i32 = 1; // out (f32) = d·scale[o] + bias[o]
const MODE_ACCUMULATE: i32 = 2; // out (f32) += d·scale[o] + bias[o]  (multi-base sum, λ folded in)
const MODE_SIGN: i32 = 3; // out (packed) bit = (d·scale[o] + bias[o] < 0)  (fused sign for the next binary layer)

// i8x16.popcnt yields ≤ 8 per byte lane; 31 steps keep a byte accumulator ≤ 248.
const CHUNK: i32 = 31;

@inline function param(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/** First free byte after the module's static data: the host lays its buffers out from here. */
export function heapBase(): usize {
  return __heap_base;
}

/** Copy `count` u32 words (v128 at a time, then single words). */
@inline function copyWords(dst: usize, src: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < count; i++) store<u32>(dst + (<usize>i << 2), load<u32>(src + (<usize>i << 2)));
}

/**
 * im2col of one output row of one image (one bit plane): rows[ox] = the taps' words in
 * (ky, kx) order, 0 where a tap falls outside the input. Bounds are resolved per kernel row
 * and per pixel, not per tap; with dilation 1 the in-bounds taps of a kernel row are one
 * contiguous run of the input and are copied as such.
 */
function im2colRow(p: usize, input: usize, n: i32, oy: i32, rows: usize): void {
  const H = param(p, P_H);
  const W = param(p, P_W);
  const words = param(p, P_WORDS);
  const k = param(p, P_KERNEL);
  const stride = param(p, P_STRIDE);
  const dil = param(p, P_DILATION);
  const padLeft = param(p, P_PAD_LEFT);
  const Wout = param(p, P_WOUT);
  const rowBytes = <usize>param(p, P_ROW_VECS) << 4;
  const tapBytes = <usize>words << 2;
  memory.fill(rows, 0, rowBytes * <usize>Wout);
  const iy0 = oy * stride - param(p, P_PAD_TOP);
  for (let ox = 0; ox < Wout; ox++) {
    const dstRow = rows + <usize>ox * rowBytes;
    const ix0 = ox * stride - padLeft;
    // kernel columns [kx0, kx1) land inside the input
    let kx0 = 0;
    while (kx0 < k && ix0 + kx0 * dil < 0) kx0++;
    let kx1 = k;
    while (kx1 > kx0 && ix0 + (kx1 - 1) * dil >= W) kx1--;
    if (kx0 >= kx1) continue;
    for (let ky = 0; ky < k; ky++) {
      const iy = iy0 + ky * dil;
      if (iy < 0 || iy >= H) continue;
      const src = input + (<usize>((n * H + iy) * W + ix0 + kx0 * dil)) * tapBytes;
      const dst = dstRow + <usize>(ky * k + kx0) * tapBytes;
      if (dil == 1) {
        copyWords(dst, src, (kx1 - kx0) * words);
      } else {
        for (let kx = kx0; kx < kx1; kx++) copyWords(dst + <usize>(kx - kx0) * tapBytes, src + <usize>((kx - kx0) * dil) * tapBytes, words);
      }
    }
  }
}

/** Sum each of four byte-accumulators into one i32 lane: [Σa, Σb, Σc, Σd]. */
@inline function reduce4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ua = i16x8.extadd_pairwise_i8x16_u(a);
  const ub = i16x8.extadd_pairwise_i8x16_u(b);
  const uc = i16x8.extadd_pairwise_i8x16_u(c);
  const ud = i16x8.extadd_pairwise_i8x16_u(d);
  const ab = i16x8.add(v128.shuffle<i64>(ua, ub, 0, 2), v128.shuffle<i64>(ua, ub, 1, 3));
  const cd = i16x8.add(v128.shuffle<i64>(uc, ud, 0, 2), v128.shuffle<i64>(uc, ud, 1, 3));
  const ab32 = i32x4.extadd_pairwise_i16x8_u(ab);
  const cd32 = i32x4.extadd_pairwise_i16x8_u(cd);
  return i32x4.add(v128.shuffle<i32>(ab32, cd32, 0, 2, 4, 6), v128.shuffle<i32>(ab32, cd32, 1, 3, 5, 7));
}

@inline function combine(a: v128, w: v128, useAnd: bool): v128 {
  return useAnd ? v128.and(a, w) : v128.xor(a, w);
}

/**
 * The register-blocked micro-kernel: popcount(a_i OP w_j) for 2 pixel rows × 4 weight rows
 * over rowVecs v128 steps. Writes [pop(a0,w0..w3)] and [pop(a1,w0..w3)] as two i32x4 at `result`.
 */
@inline function tile2x4(a0p: usize, a1p: usize, wp: usize, rowBytes: usize, rowVecs: i32, useAnd: bool, result: usize): void {
  let s0 = i32x4.splat(0);
  let s1 = i32x4.splat(0);
  const w1p = wp + rowBytes;
  const w2p = w1p + rowBytes;
  const w3p = w2p + rowBytes;
  for (let kc = 0; kc < rowVecs; kc += CHUNK) {
    const kend = min(kc + CHUNK, rowVecs);
    let c00 = i32x4.splat(0);
    let c01 = i32x4.splat(0);
    let c02 = i32x4.splat(0);
    let c03 = i32x4.splat(0);
    let c10 = i32x4.splat(0);
    let c11 = i32x4.splat(0);
    let c12 = i32x4.splat(0);
    let c13 = i32x4.splat(0);
    for (let k = kc; k < kend; k++) {
      const off = <usize>k << 4;
      const a0 = v128.load(a0p + off);
      const a1 = v128.load(a1p + off);
      let w = v128.load(wp + off);
      c00 = i8x16.add(c00, i8x16.popcnt(combine(a0, w, useAnd)));
      c10 = i8x16.add(c10, i8x16.popcnt(combine(a1, w, useAnd)));
      w = v128.load(w1p + off);
      c01 = i8x16.add(c01, i8x16.popcnt(combine(a0, w, useAnd)));
      c11 = i8x16.add(c11, i8x16.popcnt(combine(a1, w, useAnd)));
      w = v128.load(w2p + off);
      c02 = i8x16.add(c02, i8x16.popcnt(combine(a0, w, useAnd)));
      c12 = i8x16.add(c12, i8x16.popcnt(combine(a1, w, useAnd)));
      w = v128.load(w3p + off);
      c03 = i8x16.add(c03, i8x16.popcnt(combine(a0, w, useAnd)));
      c13 = i8x16.add(c13, i8x16.popcnt(combine(a1, w, useAnd)));
    }
    s0 = i32x4.add(s0, reduce4(c00, c01, c02, c03));
    s1 = i32x4.add(s1, reduce4(c10, c11, c12, c13));
  }
  v128.store(result, s0);
  v128.store(result, s1, 16);
}

/** Store the first `count` (1..4) i32/f32 lanes of v at ptr. */
@inline function storeLanes(ptr: usize, v: v128, count: i32): void {
  if (count >= 4) {
    v128.store(ptr, v);
  } else {
    v128.store32_lane(ptr, v, 0);
    if (count > 1) v128.store32_lane(ptr, v, 1, 4);
    if (count > 2) v128.store32_lane(ptr, v, 2, 8);
  }
}

/** Apply the output mode to the exact dot products d (i32x4) of channels o..o+3 at output pixel `pix`. */
@inline function emit(mode: i32, cout: i32, outWords: i32, out: usize, scale: usize, bias: usize, d: v128, pix: i32, o: i32): void {
  const count = min(cout - o, 4);
  if (mode == MODE_INT) {
    storeLanes(out + ((<usize>pix * <usize>cout + <usize>o) << 2), d, count);
    return;
  }
  const y = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(d), v128.load(scale + (<usize>o << 2))), v128.load(bias + (<usize>o << 2)));
  if (mode == MODE_SIGN) {
    const bits = i32x4.bitmask(f32x4.lt(y, f32x4.splat(0))) & ((1 << count) - 1);
    const word = out + ((<usize>pix * <usize>outWords + (<usize>o >> 5)) << 2);
    store<u32>(word, load<u32>(word) | (<u32>bits << (<u32>o & 31)));
    return;
  }
  const ptr = out + ((<usize>pix * <usize>cout + <usize>o) << 2);
  if (mode == MODE_ACCUMULATE) {
    if (count >= 4) {
      v128.store(ptr, f32x4.add(v128.load(ptr), y));
    } else {
      // lane indices must be constants: move the wanted lane to lane 0 first
      store<f32>(ptr, load<f32>(ptr) + f32x4.extract_lane(y, 0));
      if (count > 1) store<f32>(ptr + 4, load<f32>(ptr + 4) + f32x4.extract_lane(y, 1));
      if (count > 2) store<f32>(ptr + 8, load<f32>(ptr + 8) + f32x4.extract_lane(y, 2));
    }
    return;
  }
  storeLanes(ptr, y, count);
}

/**
 * Binary conv of ±1 activations with ±1 weights (XOR + popcount), exact zero padding:
 * d[o] = base[class][o] − 2·popcount(a XOR w), where base = K − Σ(weights at padded taps)
 * per border class (LCE-style correction; 0 taps padded in the interior class).
 */
export function binaryConv(p: usize): void {
  const N = param(p, P_N);
  const Hout = param(p, P_HOUT);
  const Wout = param(p, P_WOUT);
  const rowVecs = param(p, P_ROW_VECS);
  const rowBytes = <usize>rowVecs << 4;
  const coutPad = param(p, P_COUT_PAD);
  const mode = param(p, P_MODE);
  const input = <usize>param(p, P_INPUT);
  const weights = <usize>param(p, P_WEIGHTS);
  const base = <usize>param(p, P_BASE);
  const rowClass = <usize>param(p, P_ROW_CLASS);
  const colClass = <usize>param(p, P_COL_CLASS);
  const colClasses = param(p, P_COL_CLASSES);
  const rows = <usize>param(p, P_ROWS);
  const result = <usize>param(p, P_SCRATCH);
  const cout = param(p, P_COUT);
  const outWords = param(p, P_OUT_WORDS);
  const out = <usize>param(p, P_OUT);
  const scale = <usize>param(p, P_SCALE);
  const bias = <usize>param(p, P_BIAS);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < Hout; oy++) {
      im2colRow(p, input, n, oy, rows);
      const rc = load<i32>(rowClass + (<usize>oy << 2)) * colClasses;
      for (let ox = 0; ox < Wout; ox += 2) {
        const two = ox + 1 < Wout;
        const a0p = rows + <usize>ox * rowBytes;
        const a1p = two ? a0p + rowBytes : a0p;
        const pix = (n * Hout + oy) * Wout + ox;
        const base0 = base + (<usize>(rc + load<i32>(colClass + (<usize>ox << 2))) * <usize>coutPad << 2);
        const base1 = two ? base + (<usize>(rc + load<i32>(colClass + (<usize>(ox + 1) << 2))) * <usize>coutPad << 2) : base0;
        for (let o = 0; o < coutPad; o += 4) {
          tile2x4(a0p, a1p, weights + <usize>o * rowBytes, rowBytes, rowVecs, false, result);
          const oBytes = <usize>o << 2;
          emit(mode, cout, outWords, out, scale, bias, i32x4.sub(v128.load(base0 + oBytes), i32x4.shl(v128.load(result), 1)), pix, o);
          if (two) emit(mode, cout, outWords, out, scale, bias, i32x4.sub(v128.load(base1 + oBytes), i32x4.shl(v128.load(result, 16), 1)), pix + 1, o);
        }
      }
    }
  }
}

/**
 * k-bit activations × ±1 weights by bit planes: q = Σ_i 2^i A_i with A_i ∈ {0,1} (bit 1 = set),
 * Σ_c q_c w_c = Σ_i 2^i (popcount(A_i) − 2·popcount(A_i AND W)). Padded taps have q = 0 and
 * so contribute nothing; no correction is needed.
 */
export function bitPlaneConv(p: usize): void {
  const N = param(p, P_N);
  const Hout = param(p, P_HOUT);
  const Wout = param(p, P_WOUT);
  const rowVecs = param(p, P_ROW_VECS);
  const rowBytes = <usize>rowVecs << 4;
  const coutPad = param(p, P_COUT_PAD);
  const mode = param(p, P_MODE);
  const planes = param(p, P_PLANES);
  const planeBytes = <usize>param(p, P_PLANE_BYTES);
  const input = <usize>param(p, P_INPUT);
  const weights = <usize>param(p, P_WEIGHTS);
  const rows = <usize>param(p, P_ROWS);
  const rowPop = <usize>param(p, P_ROW_POP);
  const result = <usize>param(p, P_SCRATCH);
  const cout = param(p, P_COUT);
  const outWords = param(p, P_OUT_WORDS);
  const out = <usize>param(p, P_OUT);
  const scale = <usize>param(p, P_SCALE);
  const bias = <usize>param(p, P_BIAS);
  const planeRowsBytes = rowBytes * <usize>Wout;
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < Hout; oy++) {
      for (let i = 0; i < planes; i++) {
        const planeRows = rows + <usize>i * planeRowsBytes;
        im2colRow(p, input + <usize>i * planeBytes, n, oy, planeRows);
        for (let ox = 0; ox < Wout; ox++) {
          const row = planeRows + <usize>ox * rowBytes;
          let count: i64 = 0;
          for (let b: usize = 0; b < rowBytes; b += 8) count += popcnt<i64>(load<i64>(row + b));
          store<i32>(rowPop + ((<usize>(i * Wout + ox)) << 2), <i32>count);
        }
      }
      for (let ox = 0; ox < Wout; ox += 2) {
        const two = ox + 1 < Wout;
        const pix = (n * Hout + oy) * Wout + ox;
        const ox1 = two ? ox + 1 : ox;
        for (let o = 0; o < coutPad; o += 4) {
          let d0 = i32x4.splat(0);
          let d1 = i32x4.splat(0);
          for (let i = 0; i < planes; i++) {
            const planeRows = rows + <usize>i * planeRowsBytes;
            tile2x4(planeRows + <usize>ox * rowBytes, planeRows + <usize>ox1 * rowBytes, weights + <usize>o * rowBytes, rowBytes, rowVecs, true, result);
            const pop0 = i32x4.splat(load<i32>(rowPop + (<usize>(i * Wout + ox) << 2)));
            const pop1 = i32x4.splat(load<i32>(rowPop + (<usize>(i * Wout + ox1) << 2)));
            d0 = i32x4.add(d0, i32x4.shl(i32x4.sub(pop0, i32x4.shl(v128.load(result), 1)), i));
            d1 = i32x4.add(d1, i32x4.shl(i32x4.sub(pop1, i32x4.shl(v128.load(result, 16), 1)), i));
          }
          emit(mode, cout, outWords, out, scale, bias, d0, pix, o);
          if (two) emit(mode, cout, outWords, out, scale, bias, d1, pix + 1, o);
        }
      }
    }
  }
}

/**
 * The roofline: the tightest XOR + popcount loop this module can run, over `vecs` v128 at
 * `buf` (keep it L1-sized; vecs a multiple of 4, at most 4·31), `iters` times. Binary MACs
 * done = 128·vecs·iters. Returns a checksum so the work cannot be optimized away.
 */
export function popcountRoofline(buf: usize, vecs: i32, iters: i32): i32 {
  const w = v128.load(buf);
  let total = i32x4.splat(0);
  for (let it = 0; it < iters; it++) {
    let c0 = i32x4.splat(0);
    let c1 = i32x4.splat(0);
    let c2 = i32x4.splat(0);
    let c3 = i32x4.splat(0);
    for (let k = 0; k < vecs; k += 4) {
      const q = buf + (<usize>k << 4);
      c0 = i8x16.add(c0, i8x16.popcnt(v128.xor(v128.load(q), w)));
      c1 = i8x16.add(c1, i8x16.popcnt(v128.xor(v128.load(q, 16), w)));
      c2 = i8x16.add(c2, i8x16.popcnt(v128.xor(v128.load(q, 32), w)));
      c3 = i8x16.add(c3, i8x16.popcnt(v128.xor(v128.load(q, 48), w)));
    }
    total = i32x4.add(total, reduce4(c0, c1, c2, c3));
  }
  return i32x4.extract_lane(total, 0) + i32x4.extract_lane(total, 1) + i32x4.extract_lane(total, 2) + i32x4.extract_lane(total, 3);
}

/**
 * Full-precision conv (stem, projection shortcuts, full-precision groups): float32 NHWC input,
 * filter [taps][Cin][CoutPad] (Cout padded to 16 with zeros), output [pixel][CoutPad].
 * Direct loop, zero taps skipped; 16 output channels per step in four f32x4 accumulators.
 * Parameter block: the P_* fields above (P_WORDS = Cin, P_COUT_PAD = CoutPad; base,
 * classes, planes, scale and bias unused).
 */
export function floatConv(p: usize): void {
  const N = param(p, P_N);
  const H = param(p, P_H);
  const W = param(p, P_W);
  const cin = param(p, P_WORDS);
  const k = param(p, P_KERNEL);
  const stride = param(p, P_STRIDE);
  const dil = param(p, P_DILATION);
  const padTop = param(p, P_PAD_TOP);
  const padLeft = param(p, P_PAD_LEFT);
  const Hout = param(p, P_HOUT);
  const Wout = param(p, P_WOUT);
  const coutPad = param(p, P_COUT_PAD);
  const input = <usize>param(p, P_INPUT);
  const filter = <usize>param(p, P_WEIGHTS);
  const out = <usize>param(p, P_OUT);
  const wRow = <usize>coutPad << 2;
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < Hout; oy++) {
      for (let ox = 0; ox < Wout; ox++) {
        const dst = out + (<usize>((n * Hout + oy) * Wout + ox) * wRow);
        for (let oc = 0; oc < coutPad; oc += 16) {
          let a0 = f32x4.splat(0);
          let a1 = f32x4.splat(0);
          let a2 = f32x4.splat(0);
          let a3 = f32x4.splat(0);
          for (let ky = 0; ky < k; ky++) {
            const iy = oy * stride - padTop + ky * dil;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < k; kx++) {
              const ix = ox * stride - padLeft + kx * dil;
              if (ix < 0 || ix >= W) continue;
              const xp = input + ((<usize>((n * H + iy) * W + ix) * <usize>cin) << 2);
              let wp = filter + (<usize>((ky * k + kx) * cin)) * wRow + (<usize>oc << 2);
              for (let ci = 0; ci < cin; ci++) {
                const v = f32x4.splat(load<f32>(xp + (<usize>ci << 2)));
                a0 = f32x4.add(a0, f32x4.mul(v, v128.load(wp)));
                a1 = f32x4.add(a1, f32x4.mul(v, v128.load(wp, 16)));
                a2 = f32x4.add(a2, f32x4.mul(v, v128.load(wp, 32)));
                a3 = f32x4.add(a3, f32x4.mul(v, v128.load(wp, 48)));
                wp += wRow;
              }
            }
          }
          const q = dst + (<usize>oc << 2);
          v128.store(q, a0);
          v128.store(q, a1, 16);
          v128.store(q, a2, 32);
          v128.store(q, a3, 48);
        }
      }
    }
  }
}

/**
 * Mixing the outputs of K bases (Group-Net's soft connection; with one row, the multi-base
 * sum Σ λ_k x_k): out[j] = Σ_k mix[j·from + k] · in[k], over maps of `size` floats laid out
 * one after another at `inputs` (and at `out` for the results).
 */
export function mixMaps(inputs: usize, from: i32, size: i32, mix: usize, to: i32, out: usize): void {
  const mapBytes = <usize>size << 2;
  const vecEnd = size & ~3;
  for (let j = 0; j < to; j++) {
    const dst = out + <usize>j * mapBytes;
    const row = mix + (<usize>(j * from) << 2);
    for (let i = 0; i < vecEnd; i += 4) {
      const off = <usize>i << 2;
      let acc = f32x4.splat(0);
      for (let k = 0; k < from; k++) {
        acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(row + (<usize>k << 2)), v128.load(inputs + <usize>k * mapBytes + off)));
      }
      v128.store(dst + off, acc);
    }
    for (let i = vecEnd; i < size; i++) {
      const off = <usize>i << 2;
      let acc: f32 = 0;
      for (let k = 0; k < from; k++) acc += load<f32>(row + (<usize>k << 2)) * load<f32>(inputs + <usize>k * mapBytes + off);
      store<f32>(dst + off, acc);
    }
  }
}

/**
 * Sign packing of float32 NHWC data (DESIGN §5): bit 1 where x < 0, channel c → word c/32,
 * bit c mod 32, unused bits 0. `pixels` rows of `c` floats at `input`, `words` u32 per row at `out`.
 */
export function packSignsF32(input: usize, pixels: i32, c: i32, words: i32, out: usize): void {
  const zero = f32x4.splat(0);
  for (let p = 0; p < pixels; p++) {
    const src = input + (<usize>(p * c) << 2);
    const dst = out + (<usize>(p * words) << 2);
    for (let j = 0; j < words; j++) {
      const first = j << 5;
      const count = min(32, c - first);
      const row = src + (<usize>first << 2);
      let bits: u32 = 0;
      if (count == 32) {
        for (let q = 0; q < 8; q++) bits |= <u32>i32x4.bitmask(f32x4.lt(v128.load(row + (<usize>q << 4)), zero)) << (<u32>q << 2);
      } else {
        for (let b = 0; b < count; b++) if (load<f32>(row + (<usize>b << 2)) < 0) bits |= <u32>1 << <u32>b;
      }
      store<u32>(dst + (<usize>j << 2), bits);
    }
  }
}
