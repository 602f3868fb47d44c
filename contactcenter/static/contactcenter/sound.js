/**
 * The new-message sound: a short two-tone chime made with Web Audio (no file to load), muted
 * with the top bar's switch; the choice is kept in this browser.
 */
const KEY = "cc.sound.muted";
let context = null;

export function isMuted() {
  return localStorage.getItem(KEY) === "1";
}

export function setMuted(muted) {
  localStorage.setItem(KEY, muted ? "1" : "0");
}

export function chime() {
  if (isMuted()) return;
  try {
    context ??= new AudioContext();
    const start = context.currentTime;
    for (const [offset, frequency] of [[0, 880], [0.12, 1320]]) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.12, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.001, start + offset + 0.25);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.25);
    }
  } catch {
    // A browser that allows no sound before a click: the flashing tab still tells.
  }
}
