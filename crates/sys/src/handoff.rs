//! Handing an accepted connection to a pre-launched backend: its
//! descriptor crosses a Unix socketpair as SCM_RIGHTS ancillary data,
//! together with a small message (the startup data and the addresses).
//!
//! The supervisor keeps one end of a pair per ready child and writes one
//! message on it, once; the child waits on its end, receives the message
//! and owns the new descriptor. Both ends are close-on-exec; launch
//! passes the child's end on like a client socket.

use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use nix::sys::socket::{
    recvmsg, sendmsg, socketpair, AddressFamily, ControlMessage, ControlMessageOwned, MsgFlags,
    SockFlag, SockType,
};

/// Largest message a handoff carries (startup data and two addresses).
pub const MESSAGE_MAX: usize = 4096;

/// A connected pair of Unix stream sockets, both close-on-exec:
/// (supervisor's end, child's end).
pub fn channel() -> io::Result<(OwnedFd, OwnedFd)> {
    Ok(socketpair(
        AddressFamily::Unix,
        SockType::Stream,
        None,
        SockFlag::SOCK_CLOEXEC,
    )?)
}

/// Sends `message` and a duplicate of `fd` in one sendmsg (never blocks
/// for long: the child's end is otherwise unused, so its buffer is empty).
pub fn send(channel: BorrowedFd<'_>, message: &[u8], fd: BorrowedFd<'_>) -> io::Result<()> {
    assert!(message.len() <= MESSAGE_MAX, "handoff message too large");
    let fds = [fd.as_raw_fd()];
    let cmsg = [ControlMessage::ScmRights(&fds)];
    let iov = [IoSlice::new(message)];
    let sent = sendmsg::<()>(
        channel.as_raw_fd(),
        &iov,
        &cmsg,
        MsgFlags::MSG_NOSIGNAL | MsgFlags::MSG_DONTWAIT,
        None,
    )?;
    if sent != message.len() {
        return Err(io::Error::new(
            io::ErrorKind::WriteZero,
            "handoff message sent in part",
        ));
    }
    Ok(())
}

/// Receives one handoff: the message and the descriptor that came with
/// it. `Ok(None)` when the supervisor closed the channel without sending.
pub fn receive(channel: BorrowedFd<'_>) -> io::Result<Option<(Vec<u8>, OwnedFd)>> {
    let mut buf = vec![0u8; MESSAGE_MAX];
    let mut cmsg_space = nix::cmsg_space!([RawFd; 1]);
    let (len, fd) = {
        let mut iov = [IoSliceMut::new(&mut buf)];
        let msg = recvmsg::<()>(
            channel.as_raw_fd(),
            &mut iov,
            Some(&mut cmsg_space),
            MsgFlags::MSG_CMSG_CLOEXEC,
        )?;
        let mut fd = None;
        for c in msg.cmsgs()? {
            if let ControlMessageOwned::ScmRights(fds) = c {
                for raw in fds {
                    // SAFETY: the kernel just installed `raw` in this
                    // process for this message; nothing else owns it. A
                    // second descriptor (never sent by us) is owned and
                    // closed here too.
                    let owned = unsafe { OwnedFd::from_raw_fd(raw) };
                    if fd.is_none() {
                        fd = Some(owned);
                    }
                }
            }
        }
        (msg.bytes, fd)
    };
    if len == 0 {
        return Ok(None);
    }
    let fd = fd.ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidData, "handoff without a descriptor")
    })?;
    buf.truncate(len);
    Ok(Some((buf, fd)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::fd::AsFd;

    #[test]
    fn a_descriptor_and_a_message_cross_the_channel() {
        let (ours, theirs) = channel().unwrap();
        let (mut a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        send(ours.as_fd(), b"startup", b.as_fd()).unwrap();
        drop(b);
        let (message, fd) = receive(theirs.as_fd()).unwrap().unwrap();
        assert_eq!(message, b"startup");
        let mut received = std::os::unix::net::UnixStream::from(fd);
        a.write_all(b"ping").unwrap();
        let mut got = [0u8; 4];
        received.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"ping");
        drop(ours);
        assert!(receive(theirs.as_fd()).unwrap().is_none(), "EOF is None");
    }
}
