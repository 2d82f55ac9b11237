"""Drives the operator's web dashboard (/admin) in real Chromium (headless), against the real `privatecalls serve`.

Usage: dashboard.py <JSON settings>

The settings (written by Tests/AppTests/DashboardBrowserTests.swift) name the server's base URL, the admin's
one-time link from the bot, an expired link and a non-admin's link, the `privatecalls` binary and its SQLite file
(for `privatecalls report`), the date range and zone to choose, the host whose status to change, the host to pay
out, the ledger rows seeded, and the screenshot folder.

Steps: refused links (expired, not an admin's) set no cookie; the admin's link lands on the overview and works
once; the overview's figures for a chosen range and zone equal `privatecalls report`'s; the overview fits a
390-px phone; a host's status changes on the hosts page; a payout lowers the unpaid balance and one above it is
refused; the ledger CSV downloads with the session's cookie; a POST without the CSRF token and a signed-out
session's cookie are refused. Every refusal must show its page (status read from the Navigation Timing API) and
change nothing. Exits 0 and prints "dashboard browser test: every step held" only when every step held;
otherwise names the steps that failed (later steps still run, so one failure does not hide another).
"""
import csv
import io
import json
import os
import re
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request
from decimal import Decimal

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

S = json.loads(sys.argv[1])
BASE, SHOTS = S["base"], S["shots"]
os.makedirs(SHOTS, exist_ok=True)
shot_number = 0

# The overview's figures and what `privatecalls report` calls them: (section, label or column).
FIGURES = {
    "Holds created": ("count", "Holds created"),
    "Paid bookings": ("count", "Paid bookings"),
    "Refunded bookings": ("count", "Refunded bookings"),
    "Payment success": ("rate", "Payment success rate"),
    "Refund rate": ("rate", "Refund rate"),
    "Revenue": ("money", "Gross revenue"),
    "Commission": ("money", "Commission"),
    "Hosts' share": ("money", "Host share"),
    "Paid out": ("money", "Paid out"),
}


def browser():
    options = Options()
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"):
        if os.path.exists(path):
            options.binary_location = path
            break
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1300,1000", "--lang=en-US"):
        options.add_argument(arg)
    driver_path = next((p for p in ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver") if os.path.exists(p)), None)
    service = Service(driver_path) if driver_path else Service()
    return webdriver.Chrome(options=options, service=service)


driver = browser()
wait = WebDriverWait(driver, 30, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,))


def shot(name):
    global shot_number
    shot_number += 1
    driver.save_screenshot(os.path.join(SHOTS, "%02d-%s.png" % (shot_number, name)))


def check(condition, message):
    if not condition:
        raise AssertionError(message)


# ---- pages ----------------------------------------------------------------------------------------------------

def status():
    """The HTTP status of the document on screen (the last response of its navigation, after redirects)."""
    return driver.execute_script(
        "const e = performance.getEntriesByType('navigation')[0]; return e ? e.responseStatus : null;")


def heading():
    found = driver.find_elements(By.CSS_SELECTOR, "header h1")
    return found[0].text if found else ""


def open_page(path_or_url):
    driver.get(path_or_url if path_or_url.startswith("http") else BASE + path_or_url)
    wait.until(lambda _: driver.execute_script("return document.readyState") == "complete")
    return status()


def submit(button):
    """Clicks a submit button and waits for the next document; returns its status."""
    old = driver.find_element(By.TAG_NAME, "html")
    button.click()
    wait.until(expected_conditions.staleness_of(old))
    wait.until(lambda _: driver.execute_script("return document.readyState") == "complete")
    return status()


def path():
    return re.sub(r"^https?://[^/]+", "", driver.current_url)


def session_cookie():
    cookie = driver.get_cookie("pc_admin")
    return cookie["value"] if cookie and cookie.get("value") else None


def expect_page(expected_status, title, what):
    got = status()
    check(got == expected_status, "%s: HTTP %s, expected %s (page %r)" % (what, got, expected_status, heading()))
    check(title in heading(), "%s: the page is %r, expected %r" % (what, heading(), title))


# ---- figures --------------------------------------------------------------------------------------------------

SYMBOLS = [("COP ", "COP"), ("$", "USD"), ("€", "EUR")]


def money(text):
    """{"USD": Decimal} from "$1,234.50" (or "-€5.00", "COP 1,000"); {} for "—"."""
    text = text.strip()
    if text in ("—", ""):
        return {}
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("-")
    for symbol, code in SYMBOLS:
        if text.startswith(symbol):
            return {code: sign * Decimal(text[len(symbol):].replace(",", ""))}
    raise AssertionError("not an amount: %r" % text)


def amounts(text):
    """Every currency's amount in a figure like "$150.00 · €42.00", zeros dropped (a "—" and "$0.00" both mean none)."""
    total = {}
    for part in text.split(" · "):
        total.update(money(part))
    return {code: value for code, value in total.items() if value != 0}


def rate(text):
    text = text.strip()
    if text == "—":
        return None
    match = re.fullmatch(r"(\d+)\.(\d\d) %", text)
    check(match, "not a rate: %r" % text)
    return Decimal(text[:-2])


def overview_figures():
    cells = driver.find_elements(By.CSS_SELECTOR, '#overview td[data-figure]')
    check(cells, "the overview has no figures (#overview td[data-figure])")
    return {cell.get_attribute("data-figure"): cell.text.strip() for cell in cells}


def run_report(*extra):
    command = [S["binary"], "report", "--database-url", S["database"], *extra]
    # Bytes, decoded here: text mode would turn the CSV's CRLFs into LFs.
    done = subprocess.run(command, capture_output=True, timeout=120, env={"PATH": "/usr/bin:/bin"})
    check(done.returncode == 0, "%s exited %d: %s" % (" ".join(command[1:]), done.returncode, done.stderr.decode("utf-8", "replace").strip()))
    return done.stdout.decode("utf-8")


def section(lines, title):
    """The lines of a report section: from the line after its title to the next blank line."""
    check(title in lines, "the report has no section %r" % title)
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def parse_report(text):
    """The report's overall figures: counts and rates from "Bookings", per-currency sums from "Money"."""
    lines = text.split("\n")
    figures = {"count": {}, "rate": {}, "money": {}}
    bookings = section(lines, "Bookings")
    for label in ("Holds created", "Paid bookings", "Refunded bookings"):
        match = next((m for m in (re.match(r"^  %s +(\d+)(?:  |$)" % re.escape(label), l) for l in bookings) if m), None)
        check(match, "the report's Bookings section has no %r line: %r" % (label, bookings))
        figures["count"][label] = int(match.group(1))
    for label in ("Payment success rate", "Refund rate"):
        match = next((m for m in (re.match(r"^  %s +(\d+\.\d\d %%|—)(?:  |$)" % re.escape(label), l) for l in bookings) if m), None)
        check(match, "the report's Bookings section has no %r line: %r" % (label, bookings))
        figures["rate"][label] = rate(match.group(1))
    table = section(lines, "Money (net of refunds)")
    columns = ["Gross revenue", "Commission", "Host share", "Paid out"]
    for column in columns:
        figures["money"][column] = {}
    if table != ["  no payments"]:
        check(len(table) >= 2 and set(table[1].strip()) == {"-", " "}, "the report's Money table has no header: %r" % table)
        spans = [m.span() for m in re.finditer(r"-+", table[1])]
        header = [table[0][a:b].strip() for a, b in spans]
        check(header[0] == "Currency" and all(c in header for c in columns), "the Money table's columns: %r" % header)
        for row in table[2:]:
            cells = [row[a:b].strip() for a, b in spans]
            currency = cells[0]
            for column in columns:
                value = money(cells[header.index(column)])
                check(list(value) in ([], [currency]), "%s in a %s row: %r" % (column, currency, value))
                if value.get(currency, 0) != 0:
                    figures["money"][column][currency] = value[currency]
    return figures


def compare_overview_with_report(zone, first, last, what):
    page = overview_figures()
    report = parse_report(run_report("--from", first, "--to", last, "--zone", zone))
    unknown = sorted(set(page) - set(FIGURES))
    check(not unknown, "%s: figures with no counterpart in `privatecalls report`: %r" % (what, unknown))
    missing = sorted(set(FIGURES) - set(page))
    check(not missing, "%s: the overview lacks the figures %r" % (what, missing))
    differences = []
    for label, text in sorted(page.items()):
        kind, name = FIGURES[label]
        shown = int(text) if kind == "count" else rate(text) if kind == "rate" else amounts(text)
        if shown != report[kind][name]:
            differences.append("%s: page %r, report %r" % (label, text, report[kind][name]))
    check(not differences, "%s: the overview and `privatecalls report` differ: %s" % (what, "; ".join(differences)))
    print("  %s (%s to %s, %s), equal in both: %s" % (what, first, last, zone, "; ".join("%s %s" % item for item in sorted(page.items()))))
    return page


# ---- steps ----------------------------------------------------------------------------------------------------

state = {}


def refused_links():
    """An expired link and a non-admin's link: the refusal page, no cookie, still signed out."""
    for name, url, picture in (("expired link", S["expired"], "expired"), ("non-admin's link", S["stranger"], "not-admin")):
        open_page(url)
        expect_page(403, "Sign-in refused", name)
        shot("link-refused-" + picture)
        check(session_cookie() is None, "%s set a session cookie" % name)
        open_page("/admin")
        expect_page(401, "Sign in", "/admin after the %s" % name)


def sign_in():
    """The admin's link from the bot lands on the overview; opened again it is refused and the session stays."""
    open_page(S["login"])
    check(path() == "/admin", "the link landed on %r, not /admin" % path())
    expect_page(200, "Overview", "the overview after signing in")
    state["cookie"] = session_cookie()
    check(state["cookie"], "no pc_admin cookie after signing in")
    shot("signed-in-overview")
    open_page(S["login"])
    expect_page(403, "Sign-in refused", "the same link opened a second time")
    shot("link-used-twice")
    check(session_cookie() == state["cookie"], "the second opening changed the session cookie")
    open_page("/admin")
    expect_page(200, "Overview", "the overview after the refused second opening")


def overview_matches_report():
    """A range and zone chosen in the overview's form: every figure equals `privatecalls report`'s."""
    open_page("/admin")
    state["all time"] = overview_figures()
    form = driver.find_element(By.CSS_SELECTOR, 'input[name="from"]').find_element(By.XPATH, "./ancestor::form")
    for name, value in (("from", S["from"]), ("to", S["to"])):
        field = form.find_element(By.CSS_SELECTOR, 'input[name="%s"]' % name)
        check(field.get_attribute("type") == "date", "the %s field is not a date input" % name)
        # A date input's typing order follows the browser's locale; its value is always YYYY-MM-DD.
        driver.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'))", field, value)
    zone = form.find_element(By.CSS_SELECTOR, 'input[name="zone"]')
    zone.clear()
    zone.send_keys(S["zone"])
    expect_status = submit(form.find_element(By.CSS_SELECTOR, 'button[type="submit"]'))
    check(expect_status == 200, "the overview for a range answered HTTP %s" % expect_status)
    state["range url"] = driver.current_url
    for name, value in (("from", S["from"]), ("to", S["to"]), ("zone", S["zone"])):
        check(driver.find_element(By.CSS_SELECTOR, 'input[name="%s"]' % name).get_attribute("value") == value,
              "the form does not show %s=%s after submitting" % (name, value))
    shot("overview-range")
    page = compare_overview_with_report(S["zone"], S["from"], S["to"], "the chosen range")
    check(int(page["Paid bookings"]) > 0 and int(page["Refunded bookings"]) > 0,
          "the range holds no paid or no refunded booking: %r" % page)
    check(int(page["Paid bookings"]) < int(state["all time"]["Paid bookings"]),
          "the range did not leave out the booking outside it (range %s, all time %s)"
          % (page["Paid bookings"], state["all time"]["Paid bookings"]))


OVERFLOW_SCRIPT = """
const width = document.documentElement.clientWidth;
function describe(e) {
  return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.getAttribute('class') ? '.' + e.getAttribute('class').split(' ').join('.') : '')
    + (e.getAttribute('aria-label') ? '[' + e.getAttribute('aria-label') + ']' : '');
}
function inScroller(e) {
  for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
    const x = getComputedStyle(a).overflowX;
    if (x === 'auto' || x === 'scroll') return true;
  }
  return false;
}
const wide = [];
for (const e of document.body.querySelectorAll('*')) {
  if (wide.some(w => w.contains(e))) continue;
  const r = e.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  // A drawing's shapes count for their <svg>: the svg box may fit while what it draws runs past the screen (cut off).
  if ((r.right > width + 1 || r.left < -1) && !inScroller(e)) wide.push(e.closest('svg') || e);
}
function extent(e) {
  let right = e.getBoundingClientRect().right, left = e.getBoundingClientRect().left;
  for (const d of e.querySelectorAll('*')) { const r = d.getBoundingClientRect(); right = Math.max(right, r.right); left = Math.min(left, r.left); }
  return ' (' + Math.round(left) + '–' + Math.round(right) + ' px' + (e.tagName.toLowerCase() === 'svg' ? ' drawn, box ' + Math.round(e.getBoundingClientRect().width) + ' px' : '') + ')';
}
if (wide.length) wide[0].scrollIntoView({block: 'center'});
return {width: width, scrollWidth: document.documentElement.scrollWidth, wide: wide.map(e => describe(e) + extent(e))};
"""


def fits_a_phone():
    """At 390 px the overview has no element wider than the viewport outside a scrollable container."""
    # A phone: 390 CSS px wide, overlay scrollbars, the page's viewport meta applied.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        open_page(state.get("range url", BASE + "/admin"))
        shot("overview-390px")
        found = driver.execute_script(OVERFLOW_SCRIPT)
        if found["wide"]:
            shot("overview-390px-too-wide")
        for other in ("/admin/hosts", "/admin/money"):
            open_page(other)
            shot(other.rsplit("/", 1)[1] + "-390px")
            also = driver.execute_script(OVERFLOW_SCRIPT)
            print("note: at %d px %s has %s" % (also["width"], other, "; ".join(also["wide"]) or "nothing too wide"))
        check(not found["wide"], "at %d px the overview has elements wider than the screen outside a scrollable container "
              "(page %d px wide): %s" % (found["width"], found["scrollWidth"], "; ".join(found["wide"])))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def host_row(username):
    rows = driver.find_elements(By.CSS_SELECTOR, 'tr[data-host="%s"]' % username)
    check(rows, "no row tr[data-host=%r] on %s" % (username, path()))
    return rows[0]


def host_status(username):
    return host_row(username).find_element(By.CSS_SELECTOR, "td[data-status]").text.strip()


def change_status(username, to, drop_csrf=False):
    row = host_row(username)
    form = row.find_element(By.CSS_SELECTOR, 'form[action$="/status"]')
    check(re.fullmatch(r"/admin/hosts/\d+/status", form.get_attribute("action").replace(BASE, "")),
          "the status form posts to %r" % form.get_attribute("action"))
    Select(form.find_element(By.CSS_SELECTOR, 'select[name="status"]')).select_by_value(to)
    if drop_csrf:
        driver.execute_script("arguments[0].querySelectorAll('input[name=\"csrf\"]').forEach(e => e.remove())", form)
    save = [b for b in form.find_elements(By.CSS_SELECTOR, "button") if b.text.strip() == "Save"]
    check(save, "no Save button in %s's status form" % username)
    return submit(save[0])


def hosts_status_changes():
    """online → offline for one host on the hosts page (the Swift test then checks the bot's host list)."""
    open_page("/admin/hosts")
    expect_page(200, "Hosts", "the hosts page")
    host = S["statusHost"]
    check(host_status(host) == "online", "%s starts %r, not online" % (host, host_status(host)))
    shot("hosts-before")
    answered = change_status(host, "offline")
    check(answered == 200 and path() == "/admin/hosts", "saving the status answered %s at %s" % (answered, path()))
    check(host_status(host) == "offline", "%s is %r after saving offline" % (host, host_status(host)))
    shot("hosts-after")


def csrf_refused():
    """The status form without its hidden csrf field: 403, and the host's status unchanged."""
    open_page("/admin/hosts")
    host = S["csrfHost"]
    before = host_status(host)
    check(before != "busy", "%s is already busy" % host)
    change_status(host, "busy", drop_csrf=True)
    expect_page(403, "Refused", "a status POST without the CSRF token")
    shot("csrf-refused")
    open_page("/admin/hosts")
    check(host_status(host) == before, "%s changed to %r though the POST had no CSRF token" % (host, host_status(host)))
    check(host_status(S["statusHost"]) == "offline", "%s is no longer offline" % S["statusHost"])


def unpaid(username):
    rows = driver.find_elements(By.CSS_SELECTOR, '#balances tr[data-host="%s"]' % username)
    check(len(rows) == 1, "%d rows #balances tr[data-host=%r] (one currency expected)" % (len(rows), username))
    return rows[0], money(rows[0].find_element(By.CSS_SELECTOR, "td[data-unpaid]").text)


def record_payout(username, amount, reference):
    row, _ = unpaid(username)
    row.find_element(By.CSS_SELECTOR, 'input[name="amount"]').send_keys(amount)
    row.find_element(By.CSS_SELECTOR, 'input[name="reference"]').send_keys(reference)
    record = [b for b in row.find_elements(By.CSS_SELECTOR, "button") if b.text.strip() == "Record"]
    check(record, "no Record button in %s's balance row" % username)
    return submit(record[0])


def payouts():
    """A payout lowers the unpaid figure by its amount; one above the balance is refused and changes nothing."""
    host = S["moneyHost"]
    open_page("/admin/money")
    expect_page(200, "Money", "the money page")
    _, before = unpaid(host)
    check(len(before) == 1, "%s's unpaid figure: %r" % (host, before))
    (currency, owed), = before.items()
    check(owed > 50, "%s is owed only %s" % (host, owed))
    shot("money-before")
    answered = record_payout(host, "50", "browser-transfer-1")
    check(answered == 200 and path().startswith("/admin/money"), "recording answered %s at %s" % (answered, path()))
    _, after = unpaid(host)
    check(after == {currency: owed - 50}, "unpaid went from %s to %r after a payout of 50" % (owed, after))
    shot("money-paid-out")

    too_much = str(owed - 50 + Decimal("0.01"))
    record_payout(host, too_much, "browser-too-much")
    expect_page(400, "Not saved", "a payout of %s above the balance of %s" % (too_much, owed - 50))
    notice = " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, "main p"))
    check("more than the host is owed" in notice, "the refusal says %r" % notice)
    shot("money-refused")
    open_page("/admin/money")
    _, unchanged = unpaid(host)
    check(unchanged == after, "the refused payout changed unpaid from %r to %r" % (after, unchanged))
    report = run_report()
    check(report.count("browser-transfer-1") == 1 and "browser-too-much" not in report,
          "the report's payouts after one recorded and one refused: %r" % report.split("Payouts (newest first)")[-1])
    # The overview for the same range now shows the payout, still equal to the report.
    open_page(state.get("range url", BASE + "/admin"))
    page = compare_overview_with_report(S["zone"], S["from"], S["to"], "the chosen range after the payout")
    check(amounts(page["Paid out"]).get(currency) == Decimal(50), "Paid out shows %r after a payout of 50" % page["Paid out"])


def ledger_csv():
    """The CSV link downloads, with the session's cookie, one row per ledger entry; it equals the report's CSV."""
    open_page("/admin/money")
    links = [a for a in driver.find_elements(By.TAG_NAME, "a") if a.text.strip() == "Download the ledger (CSV)"]
    check(links, "no link “Download the ledger (CSV)” on the money page")
    href = links[0].get_attribute("href")
    check(href == BASE + "/admin/ledger.csv", "the ledger link goes to %r" % href)
    request = urllib.request.Request(href, headers={"Cookie": "pc_admin=" + session_cookie()})
    with urllib.request.urlopen(request, timeout=30) as response:
        check(response.headers.get("Content-Type", "").startswith("text/csv"), "Content-Type %r" % response.headers.get("Content-Type"))
        body = response.read().decode("utf-8")
    rows = list(csv.reader(io.StringIO(body, newline="")))
    header = ["entry_id", "created_at", "booking_id", "host_id", "host_name", "kind", "currency", "gross", "platform", "host_share"]
    check(rows and rows[0] == header, "the CSV's header: %r" % (rows[:1],))
    entries = [dict(zip(header, r)) for r in rows[1:]]
    check(all(len(r) == len(header) for r in rows), "a CSV row has the wrong number of fields")
    kinds = {kind: sum(1 for e in entries if e["kind"] == kind) for kind in ("payment", "refund")}
    check(kinds == S["ledger"] and len(entries) == sum(S["ledger"].values()),
          "ledger rows by kind %r (%d rows), seeded %r" % (kinds, len(entries), S["ledger"]))
    paid = {e["booking_id"]: e for e in entries if e["kind"] == "payment"}
    check(len(paid) == kinds["payment"], "two payment rows for one booking")
    for refund in (e for e in entries if e["kind"] == "refund"):
        payment = paid.get(refund["booking_id"])
        check(payment and Decimal(refund["gross"]) == -Decimal(payment["gross"]), "refund row %r does not undo its payment" % refund)
    check(all(e["host_name"] for e in entries), "a row without its host's name")
    check(body == run_report("--format", "csv"), "the downloaded ledger differs from `privatecalls report --format csv`")
    try:
        urllib.request.urlopen(href, timeout=30)
        raise AssertionError("the ledger downloaded without a cookie")
    except urllib.error.HTTPError as error:
        check(error.code == 401, "the ledger without a cookie answered %d" % error.code)


def signed_out_cookie_refused():
    """Sign out on the overview, put the old cookie back: /admin is the sign-in page (401)."""
    open_page("/admin")
    old = session_cookie()
    sign_out = driver.find_elements(By.XPATH, '//button[normalize-space()="Sign out"]')
    check(sign_out, "no Sign out button on the overview")
    answered = submit(sign_out[0])
    check(answered == 200 and "Signed out" in heading(), "signing out answered %s, %r" % (answered, heading()))
    check(session_cookie() is None, "the cookie is still there after signing out")
    shot("signed-out")
    driver.add_cookie({"name": "pc_admin", "value": old, "path": "/admin", "httpOnly": True, "sameSite": "Strict"})
    check(session_cookie() == old, "the old cookie could not be put back")
    open_page("/admin")
    expect_page(401, "Sign in", "/admin with a signed-out session's cookie")
    check(not driver.find_elements(By.CSS_SELECTOR, "#overview"), "the overview showed with a signed-out cookie")
    shot("old-cookie-refused")


STEPS = [
    ("refused links (expired, not an admin's)", refused_links, False),
    ("sign-in through the bot's link, once", sign_in, True),
    ("overview equals privatecalls report", overview_matches_report, False),
    ("overview fits a 390-px phone", fits_a_phone, False),
    ("host status changed on the hosts page", hosts_status_changes, False),
    ("POST without the CSRF token refused", csrf_refused, False),
    ("payouts on the money page", payouts, False),
    ("ledger CSV download", ledger_csv, False),
    ("signed-out cookie refused", signed_out_cookie_refused, False),
]


def main():
    failed = []
    for number, (name, step, fatal) in enumerate(STEPS, 1):
        started = time.monotonic()
        try:
            step()
            print("step %d held: %s (%.1f s)" % (number, name, time.monotonic() - started))
        except Exception as error:  # noqa: BLE001 — report the step, keep a screenshot, go on
            if not isinstance(error, AssertionError):
                traceback.print_exc()
            message = str(error).strip() or type(error).__name__
            if isinstance(error, TimeoutException):
                message = "timed out on %s" % path()
            failed.append("step %d (%s): %s" % (number, name, message))
            print("step %d FAILED: %s: %s" % (number, name, message), file=sys.stderr)
            try:
                shot("failed-step-%d" % number)
            except Exception:  # noqa: BLE001
                pass
            if fatal:
                break
        sys.stdout.flush()
    if failed:
        print("dashboard browser test failed at %s" % " | ".join(failed), file=sys.stderr)
        return 1
    print("dashboard browser test: every step held")
    return 0


try:
    code = main()
finally:
    driver.quit()
sys.exit(code)
