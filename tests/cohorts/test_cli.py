"""`flask lms cohorts …` commands: exit codes and messages."""

from lms.core.tabular import write_csv


def test_add_members_close_and_export(db, runner, make_cohort, make_person, sessions, mark,
                                      tmp_path):
    """Members from a file, close with reasons printed, export written."""
    cohort = make_cohort(final=False)
    people = [make_person(full_name="Nguyễn Văn Một"), make_person(full_name="Trần Thị Hai")]
    listing = tmp_path / "ds.csv"
    listing.write_bytes(write_csv(["ma_nhan_su"], [[p.staff_id] for p in people]))
    trainer = cohort.trainers[0].username
    result = runner.invoke(args=["lms", "cohorts", "add-members", str(cohort.id), str(listing),
                                 "--by", trainer])
    assert result.exit_code == 0, result.output
    assert "added 2; 0 already" in result.output
    session = sessions(cohort, 1)[0]
    mark(session, {m: "absent" for m in cohort.members if m.person_id == people[1].id})
    result = runner.invoke(args=["lms", "cohorts", "close", str(cohort.id), "--by", trainer])
    assert result.exit_code == 0, result.output
    assert "closed: 1/2 completed" in result.output
    assert "Trần Thị Hai: không dự buổi nào" in result.output
    out = tmp_path / "lop.xlsx"
    assert runner.invoke(args=["lms", "cohorts", "export", str(cohort.id), "-o",
                               str(out)]).exit_code == 0
    assert out.read_bytes().startswith(b"PK")
    pdf = tmp_path / "ky.pdf"
    result = runner.invoke(args=["lms", "cohorts", "sign-in-sheet", str(session.id), "-o",
                                 str(pdf)])
    assert result.exit_code == 0 and pdf.read_bytes().startswith(b"%PDF")
    listed = runner.invoke(args=["lms", "cohorts", "list", "--status", "closed"]).output
    assert cohort.name in listed


def test_bad_input_exits_non_zero(db, runner, make_cohort, tmp_path):
    """Bad rows print `row N, column X` and exit 1; an unknown cohort or user is refused."""
    cohort = make_cohort()
    listing = tmp_path / "ds.csv"
    listing.write_bytes(write_csv(["ma_nhan_su"], [["KHONGCO"]]))
    trainer = cohort.trainers[0].username
    result = runner.invoke(args=["lms", "cohorts", "add-members", str(cohort.id), str(listing),
                                 "--by", trainer])
    assert result.exit_code == 1
    assert "row 2, column ma_nhan_su: không có mã nhân sự KHONGCO" in result.output
    result = runner.invoke(args=["lms", "cohorts", "close", "999", "--by", trainer])
    assert result.exit_code != 0 and "no cohort with id 999" in result.output
    result = runner.invoke(args=["lms", "cohorts", "close", str(cohort.id), "--by", "nobody"])
    assert result.exit_code != 0 and "no active account" in result.output
    result = runner.invoke(args=["lms", "cohorts", "close", str(cohort.id), "--by", trainer])
    assert result.exit_code != 0 and "Lớp chưa có học viên" in result.output
