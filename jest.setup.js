// Tests never export telemetry unless a test installs an in-memory exporter itself.
process.env.OTEL_SDK_DISABLED = 'true';
// node-opcua logs its warnings and errors with console.log (certificate dumps, "Creating default
// certificate", the Node 20 RSA notice, the secure-channel noise of the fault tests), which jest
// prints with a stack per line. Level 2 (Critic) is above all it logs; what a test checks fails in
// its assertions. NODEOPCUA_LOG_LEVEL=4 (its default, Warning) shows them again when debugging.
process.env.NODEOPCUA_LOG_LEVEL ??= '2';
require('reflect-metadata');
