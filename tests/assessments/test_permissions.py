"""Who may open which assessment page."""

from lms.assessments import services
from tests.conftest import post_form


def test_learner_must_be_enrolled_to_start(client, bank, learner, login_user):
    """A trainee not enrolled in the course cannot start its quiz."""
    course, _ = bank()
    login_user(learner())
    response = post_form(client, f"/quizzes/course/{course.slug}/final/start",
                         page=f"/quizzes/course/{course.slug}")
    assert response.status_code == 403


def test_attempts_are_private(client, db, bank, learner, login_user, login_as):
    """Another learner gets 404 on someone's attempt; staff never see one in progress but see
    the result of a submitted attempt within their scope."""
    course, _ = bank()
    owner = learner(course)
    attempt = services.start_attempt(owner.person, course, "final")
    db.session.commit()
    login_user(learner(course))
    for url in (f"/quizzes/attempts/{attempt.id}", f"/quizzes/attempts/{attempt.id}/result"):
        assert client.get(url).status_code == 404
    assert post_form(client, f"/quizzes/attempts/{attempt.id}/submit").status_code == 404
    login_as("trainer", unit="22")
    assert client.get(f"/quizzes/attempts/{attempt.id}/result").status_code == 404
    services.submit_attempt(attempt)
    db.session.commit()
    assert client.get(f"/quizzes/attempts/{attempt.id}/result").status_code == 200
    login_as("admin", unit="01")  # Hà Nội: out of scope
    assert client.get(f"/quizzes/attempts/{attempt.id}/result").status_code == 404


def test_staff_pages_by_role(client, bank, learner, login_user, login_as):
    """Item analysis and paper tests are for trainers and admins; gain also for viewers; a
    trainee sees none of them."""
    course, _ = bank()
    items = f"/quizzes/course/{course.slug}/items"
    pdf = f"/quizzes/course/{course.slug}/paper-test.pdf?seed=1"
    login_user(learner(course))
    for url in (items, pdf, "/quizzes/gain"):
        assert client.get(url).status_code == 403, url
    login_as("viewer", unit="22")
    assert client.get(items).status_code == 403
    assert client.get(pdf).status_code == 403
    assert client.get("/quizzes/gain").status_code == 200
    login_as("trainer", unit="22")
    for url in (items, items + "?kind=pretest", pdf, "/quizzes/gain",
                f"/quizzes/gain?course={course.slug}&unit=06652"):
        assert client.get(url).status_code == 200, url
    assert client.get("/quizzes/gain?unit=01").status_code == 403


def test_paper_scores_only_for_the_cohort_trainer_and_admins_in_scope(
        client, bank, make_cohort, make_user, login_user, login_as):
    """The cohort's own trainer and an admin in scope enter scores; another trainer, an admin
    of another province and a viewer cannot."""
    course, _ = bank()
    own = make_user("trainer", unit="22")
    cohort = make_cohort(course, trainers=[own])
    url = f"/quizzes/cohorts/{cohort.id}/paper-scores"
    login_user(own)
    assert client.get(url).status_code == 200
    login_as("trainer", unit="22")
    assert client.get(url).status_code == 403
    login_as("admin", unit="01")
    assert client.get(url).status_code == 403
    login_as("viewer", unit="22")
    assert client.get(url).status_code == 403
    login_as("admin", unit="22")
    assert client.get(url).status_code == 200


def test_cohort_figures_only_for_those_who_may_view_the_cohort(
        client, bank, make_cohort, make_user, login_user, login_as):
    """Gain and item analysis of one cohort use can_view_cohort: its own trainer and a viewer
    in scope see them; a trainer of another cohort in the same province gets 403."""
    course, _ = bank()
    own = make_user("trainer", unit="22")
    cohort = make_cohort(course, trainers=[own])
    make_cohort(course, trainers=[make_user("trainer", unit="22")])
    urls = (f"/quizzes/gain?cohort={cohort.id}",
            f"/quizzes/course/{course.slug}/items?cohort={cohort.id}")
    login_user(own)
    for url in urls:
        assert client.get(url).status_code == 200, url
    login_as("trainer", unit="22")
    for url in urls:
        assert client.get(url).status_code == 403, url
    login_as("viewer", unit="22")
    assert client.get(urls[0]).status_code == 200


def test_gain_page_shows_figures(client, db, bank, learner, login_as, graded_attempt):
    """The gain page lists the course with its pre and post means."""
    course, questions = bank()
    person = learner(course).person
    graded_attempt(person, course, {questions[0]: (["a"], True)}, kind="pretest", score=25)
    graded_attempt(person, course, {questions[0]: (["a"], True)}, score=75)
    login_as("viewer", unit="22")
    html = client.get(f"/quizzes/gain?course={course.slug}").get_data(as_text=True)
    assert "25,0" in html and "75,0" in html and "+50,0" in html


def test_staff_read_a_learners_history_within_scope(client, db, bank, learner, login_as,
                                                   graded_attempt):
    """A trainer in scope lists a learner's attempts; an admin of another province cannot."""
    course, questions = bank()
    person = learner(course).person
    graded_attempt(person, course, {questions[0]: (["a"], True)}, score=75)
    url = f"/quizzes/people/{person.staff_id}/attempts"
    login_as("trainer", unit="22")
    html = client.get(url).get_data(as_text=True)
    assert person.full_name in html and "75,0%" in html
    login_as("admin", unit="01")
    assert client.get(url).status_code == 403
    login_as("viewer", unit="22")
    assert client.get(url).status_code == 403
