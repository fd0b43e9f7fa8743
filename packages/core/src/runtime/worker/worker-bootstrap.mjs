// Worker threads start here: register the TypeScript loader in this thread (Node 20 does not
// carry a parent's --import hooks into workers reliably), then load the real entry.
import { register } from "tsx/esm/api";

register();
await import("./worker-entry.ts");
