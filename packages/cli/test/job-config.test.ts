import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  ConfigFileError,
  configFromEnv,
  envNameToKey,
  parseConfigValue,
  readConfigFile,
  resolveJobConfig,
} from "../src/index.ts";

const dir = mkdtempSync(join(tmpdir(), "eddy-config-"));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function configFileError(path: string): Promise<ConfigFileError> {
  try {
    await readConfigFile(path);
  } catch (error) {
    assert.ok(error instanceof ConfigFileError);
    assert.equal(error.code, "EDDY_CONFIG_FILE");
    return error;
  }
  assert.fail(`${path} should be rejected`);
}

describe("job configuration", () => {
  it("parses values as JSON when they are JSON, as text otherwise", () => {
    assert.equal(parseConfigValue("1000"), 1000);
    assert.equal(parseConfigValue("true"), true);
    assert.equal(parseConfigValue("null"), null);
    assert.deepEqual(parseConfigValue('{"a":[1]}'), { a: [1] });
    assert.equal(parseConfigValue('"007"'), "007");
    assert.equal(parseConfigValue("007"), "007");
    assert.equal(parseConfigValue("out/averages.ndjson"), "out/averages.ndjson");
    assert.equal(parseConfigValue(""), "");
  });

  it("maps EDDY_CONFIG_ variables to camelCase keys", () => {
    assert.equal(envNameToKey("READINGS"), "readings");
    assert.equal(envNameToKey("MAX_DELAY_MS"), "maxDelayMs");
    assert.deepEqual(
      configFromEnv({ EDDY_CONFIG_READINGS: "5", EDDY_DEBUG: "1", PATH: "/bin", EDDY_CONFIG_: "x" }),
      {
        readings: 5,
      },
    );
  });

  it("merges file, environment and --set, later ones winning", async () => {
    const path = file("merge.json", JSON.stringify({ a: "file", b: "file", c: "file", nested: { x: 1 } }));
    const config = await resolveJobConfig({
      file: path,
      env: { EDDY_CONFIG_B: "env", EDDY_CONFIG_C: "env" },
      overrides: { c: "flag" },
    });
    assert.deepEqual(config, { a: "file", b: "env", c: "flag", nested: { x: 1 } });
    assert.deepEqual(await resolveJobConfig({}), {});
  });

  it("says which file is wrong and how", async () => {
    assert.match(
      (await configFileError(join(dir, "missing.json"))).message,
      /missing.json' \(--config\): cannot read it \(no such file\)/,
    );
    assert.match((await configFileError(file("bad.json", "{ readings: 1 }"))).message, /is not valid JSON/);
    assert.match(
      (await configFileError(file("array.json", "[1, 2]"))).message,
      /must hold a JSON object .* not an array/,
    );
    assert.match(
      (await configFileError(file("number.json", "42"))).message,
      /must hold a JSON object .* not 42/,
    );
  });
});
