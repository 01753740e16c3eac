// What a Relay front end writes beside the contract operations (which the
// Go test TestRelayCompilesContract turns into Relay modules itself): a
// paginated fragment on a Node, refetched through node(id:), paging the
// venue's bookings forwards and backwards with @connection (node(id:) is a
// Node, so Relay 21 wants a Venue fragment spread there under @alias).
graphql`
  fragment VenueBookings_venue on Venue
  @refetchable(queryName: "VenueBookingsPaginationQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
    last: { type: "Int" }
    before: { type: "String" }
    from: { type: "DateTime" }
    to: { type: "DateTime" }
  ) {
    id
    name
    bookings(first: $count, after: $cursor, last: $last, before: $before, from: $from, to: $to)
      @connection(key: "VenueBookings_bookings") {
      totalCount
      edges { node { id status startsAt endsAt purpose } }
    }
  }
`;

graphql`
  query VenueBookingsQuery($id: ID!, $from: DateTime, $to: DateTime) {
    node(id: $id) {
      ...VenueBookings_venue @alias @arguments(from: $from, to: $to)
    }
  }
`;
