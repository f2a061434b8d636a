// The "Print" button of the printable framework page (no inline script: the CSP allows 'self' only).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
