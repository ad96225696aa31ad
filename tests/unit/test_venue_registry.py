"""The venue registry builds a session's (data, execution) pair by name, in one place."""

from pathlib import Path

import pytest

from tradeterm.config import load_settings
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import FAST_START_NS, SimClock
from tradeterm.runtime.venue_registry import (
    VenueClients,
    VenueRequest,
    VenueSetupError,
    build_clients,
)
from tradeterm.venues.base import DataClient, ExecutionClient
from tradeterm.venues.paper_client import PaperExecutionClient
from tradeterm.venues.sim import SimMarketVenue

SHIPPED = Path(__file__).parents[2] / "recordings" / "binance-spot-btcusdt-ethusdt-20240808.ttj"


def request(name: str, **kw) -> VenueRequest:
    return VenueRequest(
        name, load_settings(sim={"seed": 1}), MessageBus(), SimClock(FAST_START_NS), 1, **kw
    )


def test_the_sim_is_both_halves_of_its_pair():
    clients = build_clients(request("sim"))
    assert isinstance(clients.data, SimMarketVenue) and clients.execution is clients.data
    assert clients.replay is None and clients.name == "sim"
    assert isinstance(clients.data, DataClient) and isinstance(clients.execution, ExecutionClient)


def test_paper_execution_sits_on_any_data_client():
    clients = build_clients(request("sim", paper=True))
    assert isinstance(clients.data, SimMarketVenue)
    assert isinstance(clients.execution, PaperExecutionClient)
    assert clients.execution.name == "sim" and not clients.execution.keeps_state
    assert [i.id for i in clients.execution.instruments()] == [
        i.id for i in clients.data.instruments()
    ]


def test_a_replay_is_named_as_such_with_or_without_paper_execution():
    from tradeterm.record.session import open_source

    plain = build_clients(request("replay", source=open_source(SHIPPED)))
    assert plain.replay is plain.data is plain.execution and not plain.replay.market_only
    paper = build_clients(request("replay", source=open_source(SHIPPED), paper=True))
    assert paper.replay is paper.data and paper.replay.market_only
    assert isinstance(paper.execution, PaperExecutionClient) and paper.name == "binance"


def test_paper_execution_reads_the_books_the_keeper_keeps():
    from tradeterm.core.views import EngineViews, StatusView
    from tradeterm.record.session import open_source

    req = request("replay", source=open_source(SHIPPED), paper=True)
    paper = build_clients(req)
    keeper = paper.keep_market(req.bus, EngineViews(StatusView("REPLAY", paper.name)))
    books = paper.execution.execution.books  # type: ignore[attr-defined]
    assert set(books) == set(keeper.books)
    assert all(books[iid].book is keeper.books[iid] for iid in books)  # one copy of each
    plain = build_clients(request("replay", source=open_source(SHIPPED)))
    assert plain.keep_market(req.bus, EngineViews(StatusView("REPLAY", plain.name))).books


@pytest.mark.parametrize("name", ["kraken", "ccxt:", "paper"])
def test_an_unknown_venue_is_refused_with_the_names_there_are(name):
    with pytest.raises(VenueSetupError, match="use binance or ccxt:<exchange>"):
        build_clients(request(name))


def test_a_venue_built_by_hand_is_both_halves():
    venue = build_clients(request("sim")).data
    assert VenueClients.of(venue) == VenueClients(venue, venue)  # type: ignore[arg-type]
