// Preloaded into helper processes that have no such option of their own (Azurite): exit when
// standard input closes, which happens when the bot that started us dies, even by SIGKILL.
// The exit goes through the helper's own SIGTERM handling, so Azurite on disk saves its
// metadata first (a plain exit would lose the blobs written since its last autosave); a second
// SIGTERM (the parent sends one too) must not cut that short, hence the listener that stays.
process.on('SIGTERM', () => undefined);
function leave() {
  setTimeout(() => process.exit(0), 5000).unref();
  process.emit('SIGTERM', 'SIGTERM');
}
process.stdin.on('end', leave);
process.stdin.on('error', leave);
process.stdin.resume();
