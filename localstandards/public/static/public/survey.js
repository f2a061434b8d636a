// The citizen survey's light challenge: find a counter whose SHA-256 of "challenge:counter" starts with `bits` zero
// bits, put it in the form and enable the send button. About 16,000 digests: well under a second on a phone.
(function () {
  "use strict";
  const form = document.getElementById("survey-form");
  if (!form) return;
  const button = form.querySelector("button[type=submit]");
  const status = document.getElementById("survey-status");
  const challenge = form.elements.challenge.value;
  const bits = Number(form.dataset.bits);
  const encoder = new TextEncoder();

  function zeroBits(bytes) {
    let count = 0;
    for (const byte of bytes) {
      if (byte === 0) { count += 8; continue; }
      return count + Math.clz32(byte) - 24;
    }
    return count;
  }

  async function work() {
    if (!window.crypto || !window.crypto.subtle) {
      status.textContent = form.dataset.unsupported;
      return;
    }
    for (let counter = 0; ; counter += 1) {
      const digest = await window.crypto.subtle.digest("SHA-256", encoder.encode(challenge + ":" + counter));
      if (zeroBits(new Uint8Array(digest)) >= bits) {
        form.elements.counter.value = String(counter);
        button.disabled = false;
        status.textContent = form.dataset.ready;
        return;
      }
    }
  }

  work();
})();
