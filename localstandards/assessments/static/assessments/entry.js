// Data entry: saving status, retries after a failed save, focus kept across swaps, a warning before leaving
// with unsaved input. The page works without this file (the area form posts everything at once).
(function () {
  const form = document.getElementById("area-form");
  if (!form) return;
  const text = (name) => form.dataset[name] || "";
  const dirty = new Set();
  const attempts = new Map();
  const statusOf = (box) => box.querySelector(".save-status");

  form.addEventListener("input", (event) => {
    const box = event.target.closest("[data-autosave]");
    if (box) dirty.add(box);
  });
  form.addEventListener("change", (event) => {
    const box = event.target.closest("[data-autosave]");
    if (box) dirty.add(box);
  });

  document.addEventListener("htmx:beforeRequest", (event) => {
    const box = event.detail.elt.closest ? event.detail.elt.closest("[data-autosave]") : null;
    if (!box || event.detail.elt !== box) return;
    const status = statusOf(box);
    if (status) {
      status.className = "save-status is-saving";
      status.textContent = text("msgSaving");
    }
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const box = event.detail.elt;
    if (!box.matches || !box.matches("[data-autosave]")) return;
    const xhr = event.detail.xhr;
    if (event.detail.successful && xhr && xhr.status === 200) {
      dirty.delete(box);
      attempts.delete(box);
      return;
    }
    if (xhr && (xhr.status === 409 || xhr.status === 422)) {
      attempts.delete(box); // the server answered: the message is on the page, nothing to retry
      return;
    }
    // Network failure or server error: retry with growing pauses, up to five times.
    const tries = (attempts.get(box) || 0) + 1;
    attempts.set(box, tries);
    const status = statusOf(box);
    if (tries > 5) {
      if (status) {
        status.className = "save-status is-failed";
        status.textContent = text("msgGaveUp");
      }
      attempts.delete(box);
      return;
    }
    if (status) {
      status.className = "save-status is-failed";
      status.textContent = text("msgFailed");
    }
    window.setTimeout(() => htmx.trigger(box, "change"), 1000 * 2 ** tries);
  });

  form.addEventListener("submit", () => dirty.clear());
  window.addEventListener("beforeunload", (event) => {
    if (dirty.size === 0) return;
    event.preventDefault();
    event.returnValue = text("msgUnsaved");
  });
})();
