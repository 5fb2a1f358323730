"""Live events over Socket.IO: rooms per hall, snapshots on connect, resync on a gap."""
