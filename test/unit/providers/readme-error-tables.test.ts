import { readFileSync } from 'node:fs';
import { README_ERROR_TABLES, README_PATH, ReadmeTableNotFoundError, readmeTable, withErrorTables } from '../../../scripts/readme-error-tables';

describe("README's error tables", () => {
  const readme = readFileSync(README_PATH, 'utf8');

  it.each(README_ERROR_TABLES.map(({ heading, render }) => [heading, render] as const))(
    '"%s" shows exactly what the code classifies (fix: npx tsx scripts/readme-error-tables.ts)',
    (heading, render) => {
      // Act
      const written = readmeTable(readme, heading);

      // Assess
      expect(written).toBe(render());
    },
  );

  it('regenerating changes nothing else in the README', () => {
    expect(withErrorTables(readme)).toBe(readme);
  });

  it('notices a stale row, a missing table and a missing heading', () => {
    // Prepare
    const [twilio] = README_ERROR_TABLES;
    const table = readmeTable(readme, twilio!.heading);
    const stale = readme.replace(table, `${table}\n| 99999 | message | retryable |  | 1 s | A code the code no longer knows. |`);
    const withoutTable = readme.replace(table, 'No table here.');
    const withoutHeading = readme.replace(twilio!.heading, '### Twilio errors');

    // Act / Assess
    expect(readmeTable(stale, twilio!.heading)).not.toBe(twilio!.render());
    expect(withErrorTables(stale)).toBe(readme);
    expect(() => readmeTable(withoutTable, twilio!.heading)).toThrow(ReadmeTableNotFoundError);
    expect(() => withErrorTables(withoutHeading)).toThrow(/no heading "### Twilio errors: retry or not"/);
  });
});
