// The atproto reference PDS (with an in-memory PLC) for the Bluesky end-to-end tests.
// Listens on 127.0.0.1 only, creates one account with an app password, prints one JSON line
// {"url", "did", "handle", "appPassword", "password"} and runs until stdin closes or SIGTERM.
import dns from 'node:dns';
import net from 'node:net';

dns.setDefaultResultOrder('ipv4first');
// every server of this process binds loopback only (the PDS and the PLC listen on a bare port)
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  return listen.apply(this, args);
};

const { TestPlc, TestPds } = await import('@atproto/dev-env');
const plc = await TestPlc.create({});
const plcUrl = `http://127.0.0.1:${plc.port}`;
const pds = await TestPds.create({ didPlcUrl: plcUrl });
const agent = pds.getAgent();
agent.api.xrpc.uri = new URL(`http://127.0.0.1:${pds.port}`);
const handle = 'saveasylum.test';
const password = 'account-password-' + Math.random().toString(36).slice(2);
await agent.createAccount({ email: 'team@saveasylum.test', handle, password });
const app = await agent.com.atproto.server.createAppPassword({ name: 'toolkit' });
process.stdout.write(JSON.stringify({
  url: `http://127.0.0.1:${pds.port}`, did: agent.session.did, handle,
  appPassword: app.data.password, password,
}) + '\n');

const stop = async () => {
  await pds.close().catch(() => {});
  await plc.close().catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
