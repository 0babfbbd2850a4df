// The console's only hand-written script: a short beep loop for alarms, silenced by a person.
(function () {
  let ctx = null;
  let timer = null;
  function beep() {
    if (!ctx) { ctx = new (window.AudioContext || window.webkitAudioContext)(); }
    if (ctx.state === 'suspended') { ctx.resume(); }
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = 880;
    gain.gain.value = 0.15;
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.25);
  }
  window.hotlineAlarm = {
    active: false,
    start() {
      if (this.active) { return; }
      this.active = true;
      document.documentElement.dataset.alarm = 'sounding';
      try { beep(); } catch (e) { /* no audio device: the banner still shows */ }
      timer = setInterval(() => { try { beep(); } catch (e) { } }, 1000);
    },
    stop() {
      this.active = false;
      document.documentElement.dataset.alarm = 'silent';
      if (timer) { clearInterval(timer); timer = null; }
    },
  };
  // Browsers start audio only after a gesture: any click or key press unlocks it.
  const unlock = () => { if (ctx && ctx.state === 'suspended') { ctx.resume(); } };
  document.addEventListener('click', unlock);
  document.addEventListener('keydown', unlock);
})();
