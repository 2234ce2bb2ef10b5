/**
 * The SDK's stdio client transport, for tests (spawning the CLI as a client would). The runtime
 * itself uses `src/proxy/stdio_client.ts`. Separate because importing it loads cross-spawn, which
 * reads env `OSTYPE` at import time.
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/client/stdio"
export { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
export type { StdioServerParameters } from "@modelcontextprotocol/sdk/client/stdio.js";
