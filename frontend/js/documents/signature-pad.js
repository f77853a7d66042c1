// A handwritten signature on a <canvas data-signature-pad data-target="ID">: pointer events
// (mouse, pen, touch), the drawing is written as a PNG data URL into the hidden input ID on
// every stroke's end; [data-signature-clear="ID"] empties both. Without this script the page
// still signs, without an image.

function setUp(canvas) {
  const target = document.getElementById(canvas.dataset.target);
  if (!target) return;
  const context = canvas.getContext("2d");
  context.lineWidth = 3;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.strokeStyle = "#000";
  let drawing = false;
  let drawn = false;

  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) * canvas.width) / box.width,
      y: ((event.clientY - box.top) * canvas.height) / box.height,
    };
  };

  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    drawing = true;
    const { x, y } = point(event);
    context.beginPath();
    context.moveTo(x, y);
    context.lineTo(x + 0.1, y + 0.1);
    context.stroke();
    drawn = true;
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    event.preventDefault();
    const { x, y } = point(event);
    context.lineTo(x, y);
    context.stroke();
  });
  const end = (event) => {
    if (!drawing) return;
    drawing = false;
    if (canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
    if (drawn) target.value = canvas.toDataURL("image/png");
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);

  for (const button of document.querySelectorAll(`[data-signature-clear="${target.id}"]`)) {
    button.addEventListener("click", () => {
      context.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      target.value = "";
    });
  }
}

for (const canvas of document.querySelectorAll("canvas[data-signature-pad]")) setUp(canvas);
