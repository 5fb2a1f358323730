"""Satisfaction ratings (好差评) through the API: the pad, the phone, one rating per case."""

from __future__ import annotations

import pytest

from tests.counter.conftest import enrol_rating_pad


@pytest.fixture
def finished(counter1, issue):
    """A case window 1 has just finished."""
    ticket = issue()
    counter1.call_next()
    counter1.ok(counter1.act(ticket["id"], "start"))
    counter1.ok(counter1.act(ticket["id"], "finish", {"outcome": "completed"}))
    return ticket


def test_options_list_five_levels_best_first_with_fitting_reasons(client):
    options = client.get("/api/v1/ratings/options").get_json()
    assert [level["label_zh"] for level in options["levels"]] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    assert [level["score"] for level in options["levels"]] == [5, 4, 3, 2, 1]
    assert "long_wait" in options["levels"][3]["reasons"]
    assert "long_wait" not in options["levels"][0]["reasons"]


def test_visitor_rates_on_the_phone_once_and_a_second_rating_is_refused(client, finished, counter1):
    path = f"/api/v1/ticket-status/{finished['status_token']}/rating"
    assert client.get(path).get_json()["rateable"] is True

    first = client.post(path, json={"level": "dissatisfied", "reasons": ["long_wait"]})
    assert first.status_code == 201, first.get_json()
    rating = first.get_json()
    assert (rating["score"], rating["channel"], rating["reasons"]) == (2, "mobile", ["long_wait"])
    assert rating["window_id"] == counter1.window
    assert rating["clerk_id"] == counter1.hall.clerks[1]

    second = client.post(path, json={"level": "very_satisfied"})
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "already_rated"
    state = client.get(path).get_json()
    assert state["rateable"] is False and state["rating"]["level"] == "dissatisfied"


def test_rating_pad_offers_the_case_just_finished_and_takes_its_rating(
    client, finished, pad_headers, counter1
):
    state = client.get("/api/v1/rating-pad", headers=pad_headers).get_json()
    assert state["window"]["id"] == counter1.window
    assert state["clerk"]["staff_number"] == counter1.hall.clerk_numbers[1]
    assert state["pending_ticket"]["number"] == finished["number"]

    response = client.post(
        "/api/v1/rating-pad/ratings",
        json={"ticket_id": finished["id"], "level": "very_satisfied", "reasons": ["efficient"]},
        headers=pad_headers,
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["channel"] == "rating_pad"
    assert (
        client.get("/api/v1/rating-pad", headers=pad_headers).get_json()["pending_ticket"] is None
    )

    again = client.post(
        f"/api/v1/ticket-status/{finished['status_token']}/rating", json={"level": "satisfied"}
    )
    assert again.status_code == 409


def test_rating_shows_in_the_clerks_figures(client, finished, pad_headers, counter1):
    client.post(
        "/api/v1/rating-pad/ratings",
        json={"ticket_id": finished["id"], "level": "basically_satisfied"},
        headers=pad_headers,
    )
    ratings = counter1.figures()["ratings"]
    assert ratings["count"] == 1 and ratings["good"] == 1
    assert ratings["average_score"] == 3
    assert ratings["by_level"]["basically_satisfied"] == 1
    assert counter1.figures()["rated_share"] == 1.0


def test_an_unfinished_case_cannot_be_rated(client, counter1, issue):
    ticket = issue()
    counter1.call_next()
    response = client.post(
        f"/api/v1/ticket-status/{ticket['status_token']}/rating", json={"level": "satisfied"}
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "not_rateable"


def test_unrated_cases_stay_unrated(client, finished, counter1):
    figures = counter1.figures()
    assert figures["served"] == 1 and figures["ratings"]["count"] == 0
    state = client.get(f"/api/v1/ticket-status/{finished['status_token']}/rating").get_json()
    assert state["rating"] is None


def test_reasons_must_fit_the_level(client, finished):
    response = client.post(
        f"/api/v1/ticket-status/{finished['status_token']}/rating",
        json={"level": "very_satisfied", "reasons": ["poor_attitude"]},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "reasons"


def test_a_pad_rates_only_cases_of_its_own_window(app, client, hall, clock, counter2, issue):
    ticket = issue()
    counter2.call_next()
    counter2.ok(counter2.act(ticket["id"], "start"))
    counter2.ok(counter2.act(ticket["id"], "finish", {"outcome": "enquiry"}))
    pad_of_window_1 = enrol_rating_pad(app.extensions["hallq_db"], hall, 1, clock())

    response = client.post(
        "/api/v1/rating-pad/ratings",
        json={"ticket_id": ticket["id"], "level": "satisfied"},
        headers={"Authorization": f"Bearer {pad_of_window_1}"},
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "ticket_at_other_window"


def test_only_a_rating_pad_posts_pad_ratings(client, finished, hall):
    response = client.post(
        "/api/v1/rating-pad/ratings",
        json={"ticket_id": finished["id"], "level": "satisfied"},
        headers={"Authorization": f"Bearer {hall.kiosk_token}"},
    )
    assert response.status_code == 403


def test_a_rating_is_announced_live_without_the_visitors_comment(app, client, finished):
    from tests.conftest import EventLog

    events = EventLog()
    app.extensions["hallq_db"].publish = events
    client.post(
        f"/api/v1/ticket-status/{finished['status_token']}/rating",
        json={"level": "satisfied", "comment": "谢谢王老师"},
    )
    assert events.names() == ["ticket.rated"]
    message = events.events[0].message()
    assert message["rating"]["ticket_id"] == finished["id"]
    assert "comment" not in message["rating"]
    assert isinstance(message["seq"], int)
