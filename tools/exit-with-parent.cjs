// Preloaded into helper processes that have no such option of their own (Azurite): exit when
// standard input closes, which happens when the bot that started us dies, even by SIGKILL.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
