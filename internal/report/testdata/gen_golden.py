# Regenerates golden.json from cases.json by running Keeper Commander's own
# dump_report_data against tabulate 0.10.0 with wcwidth installed. Not run by
# the tests. commander_report.py (not committed) holds field_to_title,
# is_json_value_field, json_serialized, detect_column_type, the get_*_key
# helpers and dump_report_data copied from keepercommander/commands/base.py
# (release 18.0.13), preceded by the imports they need.
# Usage: PYTHONPATH=<dir with tabulate and commander_report.py> python3 gen_golden.py
import contextlib, datetime, io, json, os, sys
from commander_report import dump_report_data, field_to_title

here = os.path.dirname(os.path.abspath(__file__))
cases = json.load(open(os.path.join(here, 'cases.json'), encoding='utf-8'))

def conv(v):
    if isinstance(v, dict) and '$dt' in v:
        return datetime.datetime.fromisoformat(v['$dt'])
    if isinstance(v, list):
        return [conv(x) for x in v]
    return v

def has_dt(v):
    if isinstance(v, dict):
        return True
    if isinstance(v, list):
        return any(has_dt(x) for x in v)
    return False

golden = {}
for c in cases:
    out = {}
    for fmt in ('table', 'csv', 'json'):
        if fmt == 'json' and has_dt(c['rows']):
            continue
        rows = [[conv(x) for x in r] for r in c['rows']]
        headers = c['headers'] if fmt == 'json' else [field_to_title(h) for h in c['headers']]
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            ret = dump_report_data(rows, headers, title=c.get('title'), fmt=fmt,
                                   row_number=c.get('row_number', False))
        if fmt == 'csv':
            out[fmt] = ret
        elif fmt == 'json':
            out[fmt] = ret + '\n'
        else:
            out[fmt] = buf.getvalue()
    golden[c['name']] = out
json.dump(golden, sys.stdout, indent=2, ensure_ascii=False)
sys.stdout.write('\n')
