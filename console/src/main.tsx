// main: mounts the console. Everything it shows comes from the API, called with the key and
// actor the user signed in with.
import { render } from "preact";
import { App } from "./app";
import "./styles.css";

render(<App />, document.getElementById("app")!);
