"""`content check --quality`: each item-writing pattern a test-wise trainee exploits is found."""

import re

import yaml

from lms.courses.loader import check_content
from lms.courses.quality import ABSOLUTE, check_quality
from tests.courses.conftest import write_course


def _bank(folder, items):
    """Replace the fixture's questions.yml with `items` (lesson 'mot' and scenario items unless
    given; `kind: None` is a knowledge item), padded with two-option items that no rule looks at
    so the fixture's quizzes still have enough."""
    items = items + [{"type": "single", "text": f"Đệm {folder.name} {n}?", "answer": "a",
                      "options": {"a": "Có", "b": "Không"}} for n in range(3 - len(items))]
    for i, item in enumerate(items, 1):
        item.setdefault("id", f"x{i}")
        item.setdefault("lesson", "mot")
        item.setdefault("explanation", "Vì sao.")
        item.setdefault("kind", "scenario")
    items = [{k: v for k, v in item.items() if v is not None} for item in items]
    (folder / "questions.yml").write_text(yaml.safe_dump(items, allow_unicode=True),
                                          encoding="utf-8")


def _course(content_dir, slug="khoa-thu", scenario=("q1", "q2", "q3")):
    """The fixture course with `scenario` marked `kind: scenario` (by default 3 of its 4 items,
    so every final of 2 holds at least one)."""
    folder = write_course(content_dir, slug)
    path = folder / "questions.yml"
    text = path.read_text(encoding="utf-8")
    for qid in scenario:
        text = re.sub(rf"(- id: {qid}\n  lesson: \S+\n  type: \S+\n)", r"\1  kind: scenario\n",
                      text)
    path.write_text(text, encoding="utf-8")
    return folder


def _quiz(folder, quiz):
    """Replace the fixture's quiz settings."""
    text = (folder / "course.yml").read_text(encoding="utf-8")
    start, end = text.index("quiz:\n"), text.index("sources:")
    (folder / "course.yml").write_text(text[:start] + quiz + text[end:], encoding="utf-8")


def _single(key, options, text=None):
    return {"type": "single", "text": text or f"Câu hỏi {key} {len(options)}?",
            "options": dict(zip("abcd", options, strict=False)), "answer": key}


def _rules(content_dir, slug="khoa-thu"):
    results = {r.slug: r for r in check_quality(check_content(content_dir))}
    return [f.rule for f in results[slug].findings], results[slug]


def test_fixture_bank_is_clean(app, content_dir):
    """The fixture course shows no pattern."""
    _course(content_dir)
    rules, result = _rules(content_dir)
    assert rules == [] and result.items == 4


def test_all_but_one_keys_are_found(app, content_dir):
    """Most multiple-answer items keyed all but one option is a finding; varied keys are not."""
    folder = write_course(content_dir)
    options = {"a": "Một", "b": "Hai", "c": "Ba", "d": "Bốn"}
    items = [{"type": "multiple", "text": f"Chọn nhiều {i}?", "options": options,
              "answer": ["a", "b", "c"]} for i in range(3)]
    _bank(folder, items)
    rules, result = _rules(content_dir)
    assert "all-but-one" in rules and (result.all_but_one, result.multiple) == (3, 3)
    for item, answer in zip(items, (["a", "b"], ["c"], ["b", "c", "d"]), strict=True):
        item["answer"] = answer
    _bank(folder, items)
    assert "all-but-one" not in _rules(content_dir)[0]


def test_every_option_keyed_is_found(app, content_dir):
    """An item keying every option is a finding on its own."""
    folder = write_course(content_dir)
    _bank(folder, [{"type": "multiple", "text": "Tất cả?", "answer": ["a", "b", "c"],
                    "options": {"a": "Một", "b": "Hai", "c": "Ba"}}])
    assert _rules(content_dir)[0] == ["all-but-one"]


def test_longest_keyed_option_is_found(app, content_dir):
    """The key being strictly the longest option in most single items is a finding."""
    folder = write_course(content_dir)
    long = ["Đáp án đúng được viết dài và đầy đủ hơn hẳn", "Ngắn", "Cũng ngắn", "Rất ngắn"]
    _bank(folder, [_single("a", long, f"Câu {i}?") for i in range(3)])
    rules, result = _rules(content_dir)
    assert "longest" in rules and (result.longest, result.single) == (3, 3)
    _bank(folder, [_single("b", long, f"Câu {i}?") for i in range(3)])
    assert "longest" not in _rules(content_dir)[0]


def test_ties_do_not_count_as_longest(app, content_dir):
    """A key as long as a distractor is not 'the longest'."""
    folder = write_course(content_dir)
    _bank(folder, [_single("a", ["Bằng nhau", "Bằng nhaU", "Ngắn"], f"Câu {i}?")
                   for i in range(3)])
    assert _rules(content_dir)[1].longest == 0


def test_unbalanced_true_false_is_found(app, content_dir):
    """Four true keys and no false one is a finding; two and two is balanced."""
    folder = write_course(content_dir)
    items = [{"type": "true_false", "text": f"Mệnh đề {i}.", "answer": True} for i in range(4)]
    _bank(folder, items)
    rules, result = _rules(content_dir)
    assert "true-false" in rules and (result.true_keys, result.false_keys) == (4, 0)
    items[0]["answer"] = items[1]["answer"] = False
    _bank(folder, items)
    assert "true-false" not in _rules(content_dir)[0]


def test_absolute_words_only_in_wrong_options_are_found(app, content_dir):
    """'luôn', 'không bao giờ', 'chỉ' in wrong options only is a finding; one keyed clears it."""
    folder = write_course(content_dir)
    items = [_single("a", ["Báo công an", "Luôn tự giải quyết", "Không bao giờ báo"], "Một?"),
             {"type": "true_false", "text": "Chỉ công an được tiếp nhận.", "answer": False}]
    _bank(folder, items)
    rules, result = _rules(content_dir)
    assert "absolute" in rules and (result.absolute_wrong, result.absolute_keyed) == (3, 0)
    items.append({"type": "true_false", "text": "Chỉ một dấu hiệu cũng đủ để báo.",
                  "answer": True})
    _bank(folder, items)
    assert "absolute" not in _rules(content_dir)[0]


def test_chi_inside_compounds_is_not_absolute():
    """'địa chỉ', 'chỉ số', 'chỉ đạo' are not the absolute 'chỉ' (only)."""
    assert not ABSOLUTE.search("Ghi địa chỉ và chỉ số, theo chỉ đạo")
    assert ABSOLUTE.search("Chỉ cần ghi tên") and ABSOLUTE.search("luôn luôn đúng")


def test_item_repeated_in_two_courses_is_found(app, content_dir):
    """The same question in two courses is a finding in both; the others are not."""
    _course(content_dir, "khoa-a")
    _course(content_dir, "khoa-b")
    results = {r.slug: r for r in check_quality(check_content(content_dir))}
    assert results["khoa-a"].repeated == 4 and results["khoa-b"].repeated == 4
    assert {f.rule for f in results["khoa-a"].findings} == {"repeated"}
    assert "khoa-b/q1" in str(results["khoa-a"].findings[0])


def test_nearly_identical_items_count_as_repeated(app, content_dir):
    """A trailing word changed does not make an item new."""
    folder_a = write_course(content_dir, "khoa-a")
    folder_b = write_course(content_dir, "khoa-b")
    text = "Theo Điều 27 Luật 53/2024/QH15, người bị mua bán được đưa đến cơ quan nào"
    _bank(folder_a, [_single("a", ["Xã", "Huyện", "Tỉnh"], text + "?"),
                     _single("a", ["Có", "Không", "Chưa rõ"], "Ngày 30/7 là ngày gì?"),
                     _single("a", ["Có", "Không", "Chưa rõ"], "Trẻ đi cùng được gì?")])
    _bank(folder_b, [_single("a", ["Xã", "Huyện", "Tỉnh"], text + " sau đó?"),
                     _single("a", ["Có", "Không", "Chưa rõ"], "Ai giữ hồ sơ tiếp nhận?"),
                     _single("a", ["Có", "Không", "Chưa rõ"], "Số 111 miễn phí không?")])
    results = {r.slug: r for r in check_quality(check_content(content_dir))}
    assert results["khoa-a"].repeated == 1


def test_self_reference_is_found(app, content_dir):
    """An item about the course's own materials is a finding."""
    folder = write_course(content_dir)
    _bank(folder, [_single("a", ["Năm", "Bốn", "Sáu"], "Khóa học này có mấy bài?")])
    assert _rules(content_dir)[0] == ["self-reference"]


def test_cli_quality_prints_counts_and_exits_1_on_findings(runner, content_dir):
    """`content check --quality` prints per-course counts, each finding, and exits 1."""
    _course(content_dir, "khoa-a")
    _course(content_dir, "khoa-b")
    result = runner.invoke(args=["lms", "content", "check", "--quality", str(content_dir)])
    assert result.exit_code == 1
    assert "khoa-a: 4 items;" in result.output and "repeated 4" in result.output
    assert "[repeated] q1: the same item is khoa-b/q1" in result.output
    assert "quality: 8 finding(s)" in result.output


def test_cli_quality_passes_clean_content(runner, content_dir):
    """Clean content exits 0 with and without --quality."""
    _course(content_dir)
    result = runner.invoke(args=["lms", "content", "check", "--quality", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert "quality: 0 finding(s)" in result.output


def test_final_at_half_scenario_passes(app, content_dir):
    """A final of 2 drawn from 3 scenario items and 1 knowledge item holds at least 1 scenario
    item: half, which passes."""
    _course(content_dir)
    rules, result = _rules(content_dir)
    assert "scenario" not in rules and (result.scenario, result.final_scenario,
                                        result.final_size) == (3, 1, 2)
    assert "scenario 3 in the bank, at least 1/2 in every final" in result.summary()


def test_final_below_half_scenario_is_found(app, content_dir):
    """With 2 knowledge items in the bank a final of 2 without any scenario item can be drawn."""
    _course(content_dir, scenario=("q1", "q2"))
    rules, result = _rules(content_dir)
    assert rules == ["scenario"] and (result.final_scenario, result.final_size) == (0, 2)
    assert "whole bank 0/2 (2 knowledge)" in str(result.findings[0])


def test_split_final_counts_what_a_pre_test_can_leave(app, content_dir):
    """With split forms the pre-test may take a cell's scenario items: a cell of 2 with 2
    knowledge items guarantees none, a cell with no knowledge item both."""
    folder = _course(content_dir)
    _quiz(folder, "quiz:\n  forms: split\n  blueprint: {mot: 2, hai: 2}\n"
                  "  pretest: {review: never}\n  final: {review: never}\n")
    knowledge = [{"lesson": "hai", "kind": None, "type": "true_false", "answer": n % 2 == 0,
                  "text": f"Kiến thức {n}."} for n in range(4)]
    scenario = [{"type": "true_false", "answer": n % 2 == 0, "text": f"Tình huống {n}."}
                for n in range(4)]
    _bank(folder, scenario + knowledge)
    rules, result = _rules(content_dir)
    assert "scenario" not in rules and (result.final_scenario, result.final_size) == (2, 4)
    scenario[0]["kind"] = None
    _bank(folder, scenario + knowledge)
    rules, result = _rules(content_dir)
    assert rules == ["scenario"] and (result.final_scenario, result.final_size) == (1, 4)
    assert "mot 1/2 (1 knowledge); hai 0/2 (4 knowledge)" in str(result.findings[0])


def test_pools_count_the_final_pool_only(app, content_dir):
    """With pools only the final's pool counts: knowledge items in the pre-test pool do not
    lower the final's share, in the final pool they do."""
    folder = _course(content_dir)
    _quiz(folder, "quiz:\n  forms: pools\n  blueprint: {mot: 1}\n"
                  "  pretest: {review: never}\n  final: {review: never}\n")
    items = [{"form": "final", "type": "true_false", "answer": True, "text": "Tình huống."},
             {"form": "pretest", "kind": None, "type": "true_false", "answer": False,
              "text": "Kiến thức."},
             {"form": "pretest", "kind": None, "type": "true_false", "answer": True,
              "text": "Kiến thức hai."}]
    _bank(folder, items)
    rules, result = _rules(content_dir)
    assert "scenario" not in rules and (result.final_scenario, result.final_size) == (1, 1)
    items[0]["form"], items[1]["form"] = "pretest", "final"
    _bank(folder, items)
    assert _rules(content_dir)[0] == ["scenario"]


def test_course_without_final_has_no_scenario_rule(app, content_dir):
    """A course without a final test has no final to measure."""
    write_course(content_dir, quiz=False)
    rules, result = _rules(content_dir)
    assert rules == [] and result.final_size == 0
