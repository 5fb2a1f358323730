"""What the receiving clerk reads of a transferred ticket (where it came from and why: staff
only), and the counter's look-up of a number, which tells whether a no-show may wait again."""

from __future__ import annotations


def serve(counter, ticket):
    counter.ok(counter.post(f"/windows/{counter.window}/call-number", {"number": ticket["number"]}))
    counter.ok(counter.act(ticket["id"], "start"))


def test_the_receiving_window_reads_where_a_transfer_came_from_and_why(
    client, counter1, counter2, issue, clock
):
    ticket = issue("housing")
    serve(counter1, ticket)
    clock.advance(minutes=2)
    counter1.ok(
        counter1.act(
            ticket["id"],
            "transfer",
            {"to_window_id": counter2.window, "reason": "材料需2号窗口复核"},
        )
    )
    queued = counter2.queue()["next_ticket"]
    assert queued["last_transfer"]["reason"] == "材料需2号窗口复核"
    counter2.call_next()
    origin = counter2.desk()["ticket"]["last_transfer"]
    assert origin["reason"] == "材料需2号窗口复核"
    assert origin["from_window"]["number"] == 1
    assert origin["from_clerk"]["name"] == "clerk1"
    assert origin["from_service"]["name"] == "housing"
    assert origin["at"]

    # The reason is the staff's: the ticket's public answers and status page never carry it.
    public = client.get(f"/api/v1/tickets/{ticket['id']}", headers=counter2.headers).get_json()
    assert "last_transfer" not in public
    status = client.get(f"/api/v1/ticket-status/{ticket['status_token']}").get_json()
    assert "材料需2号窗口复核" not in str(status)


def test_a_ticket_never_transferred_has_no_origin(counter1, issue):
    issue()
    counter1.call_next()
    assert counter1.desk()["ticket"]["last_transfer"] is None


def test_the_look_up_of_a_no_show_says_until_when_it_may_wait_again(app, counter1, issue, clock):
    ticket = issue()
    counter1.call_next()
    counter1.ok(counter1.act(ticket["id"], "no-show"))
    found = counter1.ok(counter1.get(f"/windows/{counter1.window}/tickets/by-number/a001"))
    assert (found["id"], found["status"], found["requeue_open"]) == (ticket["id"], "no_show", True)
    assert found["requeue_behind"] == 3

    clock.advance(minutes=31)  # the test hall's grace is 30 minutes
    lapsed = counter1.ok(counter1.get(f"/windows/{counter1.window}/tickets/by-number/A001"))
    assert lapsed["requeue_open"] is False
    refused = counter1.post(f"/tickets/{ticket['id']}/requeue")
    assert refused.get_json()["error"]["code"] == "grace_period_over"

    missing = counter1.get(f"/windows/{counter1.window}/tickets/by-number/A999")
    assert missing.status_code == 404


def test_a_waiting_ticket_is_not_open_for_requeueing(counter1, issue):
    issue()
    found = counter1.ok(counter1.get(f"/windows/{counter1.window}/tickets/by-number/A001"))
    assert (found["status"], found["requeue_open"], found["requeue_until"]) == (
        "waiting", False, None
    )  # fmt: skip
