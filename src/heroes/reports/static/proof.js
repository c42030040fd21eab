// The receipt page after wrong codes: the server asks this browser for a proof of work before it
// checks the code (a guesser pays for every guess; a reporter, once). Find digits s such that
// SHA-256("<challenge>:<s>") starts with `bits` zero bits, put "<challenge>:<s>" in the form and send
// it again. SHA-256 is written out here: crypto.subtle exists only on HTTPS pages and costs a
// promise per hash. The work runs in slices so the page stays responsive.
(function () {
  "use strict";
  var box = document.querySelector("[data-challenge]");
  if (!box) { return; }
  var form = box.closest("form");
  var receipt = form && form.querySelector("[name=receipt]");
  var proof = form && form.querySelector("[name=proof]");
  if (!receipt || !proof || !receipt.value.trim()) { return; }

  var K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);
  var INITIAL = new Int32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  ]);
  var W = new Int32Array(64);

  function compress(H, m, p) {
    var t, x, y;
    for (t = 0; t < 16; t++) {
      W[t] = (m[p + 4 * t] << 24) | (m[p + 4 * t + 1] << 16) | (m[p + 4 * t + 2] << 8) | m[p + 4 * t + 3];
    }
    for (t = 16; t < 64; t++) {
      x = W[t - 15];
      y = W[t - 2];
      W[t] = (W[t - 16] + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + W[t - 7] +
        (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    }
    var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
    for (t = 0; t < 64; t++) {
      var t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
        ((e & f) ^ (~e & g)) + K[t] + W[t]) | 0;
      var t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
        ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
    H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
  }

  // The prefix "<challenge>:" never changes: its whole 64-byte blocks are hashed once.
  var prefix = new TextEncoder().encode(box.getAttribute("data-challenge") + ":");
  var whole = prefix.length - (prefix.length % 64);
  var mid = new Int32Array(INITIAL);
  for (var i = 0; i < whole; i += 64) { compress(mid, prefix, i); }
  var tail = prefix.subarray(whole);
  var buffer = new Uint8Array(128);
  var state = new Int32Array(8);

  function zeroBits(counter) {
    var digits = String(counter);
    buffer.fill(0);
    buffer.set(tail, 0);
    var n = tail.length;
    for (var j = 0; j < digits.length; j++) { buffer[n++] = digits.charCodeAt(j); }
    var bitLength = (prefix.length + digits.length) * 8;
    buffer[n] = 0x80;
    var end = n + 1 + 8 <= 64 ? 64 : 128;
    buffer[end - 4] = (bitLength >>> 24) & 255;
    buffer[end - 3] = (bitLength >>> 16) & 255;
    buffer[end - 2] = (bitLength >>> 8) & 255;
    buffer[end - 1] = bitLength & 255;
    state.set(mid);
    compress(state, buffer, 0);
    if (end === 128) { compress(state, buffer, 64); }
    var zeros = 0;
    for (var w = 0; w < 8; w++) {
      if (state[w] === 0) { zeros += 32; continue; }
      return zeros + Math.clz32(state[w]);
    }
    return zeros;
  }

  var bits = parseInt(box.getAttribute("data-bits"), 10) || 0;
  var counter = 0;
  box.textContent = box.getAttribute("data-working");
  box.hidden = false;
  function slice() {
    var stop = counter + 20000;
    for (; counter < stop; counter++) {
      if (zeroBits(counter) >= bits) {
        proof.value = box.getAttribute("data-challenge") + ":" + counter;
        box.textContent = box.getAttribute("data-done");
        form.submit();
        return;
      }
    }
    setTimeout(slice, 0);
  }
  setTimeout(slice, 0);
})();
