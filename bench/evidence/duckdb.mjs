// Counts the findings of a scanner file by check and status with DuckDB
// (the @duckdb/node-api package), for the evidence benchmark.
//   node duckdb.mjs ocsf|csv FILE
import { DuckDBInstance } from '@duckdb/node-api';
const [fmt, file] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const q = fmt === 'csv'
  ? `select CHECK_ID, STATUS, count(*) n from read_csv('${file}', delim=';', header=true, all_varchar=true) group by all`
  : `select metadata.event_code, status_code, count(*) n from read_json('${file}', format='array', maximum_object_size=104857600) group by all`;
const r = await con.runAndReadAll(q);
console.log(r.getRows().length);
