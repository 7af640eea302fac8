"""`flask lms certificates pdf | issue | list`, including their errors."""

from datetime import date

import pypdf

from lms.certificates import services


def test_issue_for_imported_completion(runner, make_person, make_course, complete):
    """`issue` gives an imported completion its certificate, then returns the same one."""
    person = make_person(staff_id="QN00042")
    complete(person, make_course(slug="nhan-dien"), date(2019, 5, 4), source="import")
    result = runner.invoke(args=["lms", "certificates", "issue", "--staff-id", "QN00042",
                                 "--course", "nhan-dien"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("issued ") and "/verify/" in result.output
    again = runner.invoke(args=["lms", "certificates", "issue", "--staff-id", "QN00042",
                                "--course", "nhan-dien"])
    assert again.exit_code == 0 and again.output.startswith("existing ")
    assert result.output.split()[1] == again.output.split()[1]


def test_issue_refuses_without_completion(runner, make_person, make_course):
    """No recorded completion: a clear error and exit code 1; unknown ids too."""
    make_person(staff_id="QN00043")
    make_course(slug="tiep-nhan")
    result = runner.invoke(args=["lms", "certificates", "issue", "--staff-id", "QN00043",
                                 "--course", "tiep-nhan"])
    assert result.exit_code == 1 and "chưa có kết quả hoàn thành" in result.output
    result = runner.invoke(args=["lms", "certificates", "issue", "--staff-id", "NOPE",
                                 "--course", "tiep-nhan"])
    assert result.exit_code == 1 and "NOPE" in result.output
    result = runner.invoke(args=["lms", "certificates", "issue", "--staff-id", "QN00043",
                                 "--course", "nope"])
    assert result.exit_code == 1 and "nope" in result.output


def test_pdf_by_code_and_by_cohort(runner, tmp_path, make_cert, make_person, make_cohort,
                                   complete):
    """`pdf --code` writes one page; `pdf --cohort` a page per member."""
    cert = make_cert(full_name="Bùi Thị Mai")
    out = tmp_path / "one.pdf"
    result = runner.invoke(args=["lms", "certificates", "pdf", "--code", cert.code, "-o",
                                 str(out)])
    assert result.exit_code == 0, result.output
    assert "Bùi Thị Mai" in pypdf.PdfReader(out).pages[0].extract_text()
    people = [make_person() for _ in range(3)]
    cohort = make_cohort(members=people)
    for person in people:
        complete(person, cohort.course, source="cohort", cohort=cohort)
    out = tmp_path / "cohort.pdf"
    result = runner.invoke(args=["lms", "certificates", "pdf", "--cohort", str(cohort.id), "-o",
                                 str(out)])
    assert result.exit_code == 0, result.output
    assert len(pypdf.PdfReader(out).pages) == 3


def test_pdf_errors(runner, tmp_path, make_cohort):
    """Bad or missing selectors exit 1 with a message and write nothing."""
    out = tmp_path / "x.pdf"
    cases = [[], ["--code", "nope"], ["--cohort", "999"], ["--cohort", "1", "--code", "x"],
             ["--cohort", str(make_cohort().id)]]
    for extra in cases:
        result = runner.invoke(args=["lms", "certificates", "pdf", *extra, "-o", str(out)])
        assert result.exit_code == 1 and "error:" in result.output, extra
        assert not out.exists()


def test_list_filters_by_unit_and_cohort(runner, make_cert, make_person, make_cohort, complete,
                                         units, db):
    """`list` prints number, holder, course, date and status; filters by unit and cohort."""
    hanoi = make_cert(commune=units("00004", "commune"), full_name="Lý Văn Sơn")
    person = make_person(full_name="Triệu Thị Nga")
    cohort = make_cohort(members=[person])
    in_cohort = services.live_certificate(complete(person, cohort.course, source="cohort",
                                                   cohort=cohort))
    result = runner.invoke(args=["lms", "certificates", "list"])
    assert result.exit_code == 0
    rows = [line.split("\t") for line in result.output.splitlines() if "\t" in line]
    assert {r[0] for r in rows} == {hanoi.number, in_cohort.number}
    row = next(r for r in rows if r[0] == hanoi.number)
    assert row[1:] == ["Lý Văn Sơn", hanoi.course_title, hanoi.issued_on.strftime("%d/%m/%Y"),
                       "valid"]
    result = runner.invoke(args=["lms", "certificates", "list", "--unit", "22"])
    assert in_cohort.number in result.output and hanoi.number not in result.output
    result = runner.invoke(args=["lms", "certificates", "list", "--cohort", str(cohort.id)])
    assert in_cohort.number in result.output and hanoi.number not in result.output
    result = runner.invoke(args=["lms", "certificates", "list", "--unit", "999999"])
    assert result.exit_code == 1 and "999999" in result.output
