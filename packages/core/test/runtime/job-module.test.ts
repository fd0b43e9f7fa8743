import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, Job, JobModuleError, loadJobModule, runJobModule } from "../../src/index.ts";
import { checkSamePlan, jobFromModule, planFingerprint } from "../../src/runtime/job/job-module.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const context = { config: {} };

async function moduleError(run: () => Promise<unknown>): Promise<JobModuleError> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof JobModuleError, `expected a JobModuleError, got ${error}`);
    assert.equal(error.code, "EDDY_JOB_MODULE");
    return error;
  }
  assert.fail("should be rejected");
}

// The one job-module loader: `eddy run`, `eddy plan`, runJobModule and every worker thread use it.
describe("the job-module contract", () => {
  it("loads a module whose default export is a Job", async () => {
    const job = await loadJobModule(fixture("failing-job.ts"), context);
    assert.ok(job instanceof Job);
    assert.equal(job.name, "failing");
  });

  it("calls a factory with the configuration and the parallelism", async () => {
    let seen: unknown;
    const job = await jobFromModule(
      "inline",
      {
        default: (ctx) => {
          seen = ctx;
          return Job.create({ name: String(ctx.config.name) });
        },
      },
      { config: { name: "from-config" }, parallelism: 3 },
    );
    assert.equal(job.name, "from-config");
    assert.deepEqual(seen, { config: { name: "from-config" }, parallelism: 3 });
    assert.ok(Object.isFrozen((seen as { config: object }).config));
  });

  it("awaits a factory that returns a promise", async () => {
    const job = await jobFromModule(
      "inline",
      { default: async () => Job.create({ name: "later" }) },
      context,
    );
    assert.equal(job.name, "later");
  });

  it("names the missing file", async () => {
    const error = await moduleError(() => loadJobModule("jobs/nope.ts", context));
    assert.match(
      error.message,
      /job module 'jobs\/nope.ts': no such file \(looked for .*jobs\/nope.ts\): check the path/,
    );
  });

  it("asks for a default export when there is none", async () => {
    const error = await moduleError(() => loadJobModule(fixture("no-default-job.ts"), context));
    assert.match(error.message, /has no default export: end it with `export default job`/);
  });

  it("rejects a default export that is not a job", async () => {
    const error = await moduleError(() => loadJobModule(fixture("not-a-job.ts"), context));
    assert.match(
      error.message,
      /its default export is an object \(Object\), but must be a Job or a function/,
    );
    const number = await moduleError(() => jobFromModule("m.ts", { default: 42 as never }, context));
    assert.match(number.message, /its default export is a number/);
  });

  it("rejects a factory that returns something else, or throws", async () => {
    const nothing = await moduleError(() =>
      jobFromModule("m.ts", { default: (() => undefined) as never }, context),
    );
    assert.match(
      nothing.message,
      /must return a Job, but it returned undefined: end the factory with `return job`/,
    );
    const throws = await moduleError(() =>
      jobFromModule(
        "m.ts",
        {
          default: () => {
            throw new TypeError("config.x is undefined");
          },
        },
        context,
      ),
    );
    assert.match(throws.message, /the job factory\) threw: config.x is undefined/);
  });

  it("passes on the factory's own configuration errors, which already name the key", async () => {
    await assert.rejects(
      jobFromModule(
        "m.ts",
        {
          default: () => {
            throw new ConfigError("readings", "must be a whole number");
          },
        },
        context,
      ),
      (error: unknown) => error instanceof ConfigError && error.key === "readings",
    );
  });

  it("reports a module that cannot be imported", async () => {
    const error = await moduleError(() => loadJobModule("data:text/javascript,export default (", context));
    assert.match(error.message, /cannot be imported: /);
  });

  it("rejects a module that builds another plan in a worker thread", async () => {
    const job = await loadJobModule(fixture("failing-job.ts"), context);
    const error = await moduleError(async () => checkSamePlan("m.ts", job, `${planFingerprint(job)}|x`));
    assert.match(
      error.message,
      /built a different plan in a worker thread .* must build its plan deterministically/,
    );
    await assert.rejects(runJobModule(fixture("random-plan-job.ts"), { parallelism: 2 }), (e: unknown) => {
      assert.ok(e instanceof Error && "code" in e && e.code === "EDDY_JOB_MODULE", String(e));
      assert.match(e.message, /random-plan-job.ts': built a different plan in a worker thread/);
      return true;
    });
  });
});
