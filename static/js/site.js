// Small behaviours shared by every page. Pages work without this file; it only makes them quicker to use.
document.addEventListener("htmx:beforeRequest", (event) => {
  const target = event.detail.target;
  if (target) target.classList.add("results-busy");
});
document.addEventListener("htmx:afterRequest", (event) => {
  const target = event.detail.target;
  if (target) target.classList.remove("results-busy");
});
// Filters that submit themselves when a select changes (the submit button stays for use without JavaScript).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches("select[data-autosubmit]") && field.form && !window.htmx) field.form.requestSubmit();
});
